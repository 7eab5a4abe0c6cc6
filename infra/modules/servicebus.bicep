// The Service Bus namespace and the dispatch queues (one message per batch of delivery rows). Standard tier: Basic
// has no duplicate detection. Local (SAS) authentication is disabled: the app uses its managed identity.

@description('Region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Globally unique namespace name (6-50 letters, digits and hyphens).')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('The dispatch queues.')
param queueNames string[]

@description('How long a receiver holds a message before it must complete, abandon or renew it (at most 5 minutes).')
param lockDuration string = 'PT1M'

@description('Deliveries before a message is dead-lettered (MaxDeliveryCountExceeded).')
@minValue(1)
param maxDeliveryCount int = 10

@description('A message not consumed within this time is dead-lettered (the alert has expired by then).')
param defaultMessageTimeToLive string = 'P2D'

@description('Messages with a MessageId seen within this window are dropped (the sender re-sends on retry).')
param duplicateDetectionHistoryTimeWindow string = 'PT1H'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for name in queueNames: {
    parent: namespace
    name: name
    properties: {
      lockDuration: lockDuration
      maxDeliveryCount: maxDeliveryCount
      defaultMessageTimeToLive: defaultMessageTimeToLive
      deadLetteringOnMessageExpiration: true
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: duplicateDetectionHistoryTimeWindow
      requiresSession: false
      enablePartitioning: false
    }
  }
]

output namespaceName string = namespace.name
output namespaceId string = namespace.id
@description('The host name the app connects to (ServiceBusConnection__fullyQualifiedNamespace).')
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
