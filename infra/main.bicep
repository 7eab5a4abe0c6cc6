// AlertPipeline in Azure: a Linux Function App running the custom handler, Storage (queues + tables),
// Service Bus (dispatch queues), Key Vault (Twilio/SMTP secrets) and Application Insights.
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p namePrefix=<prefix>
// then publish the app: scripts/publish.sh && az functionapp deployment source config-zip -g <rg> -n <app> --src artifacts/alertpipeline-app.zip

@description('Short lowercase prefix for resource names (3-11 letters/digits).')
@minLength(3)
@maxLength(11)
param namePrefix string

param location string = resourceGroup().location

@description('Twilio settings are read from Key Vault references; set the secrets after deployment.')
param twilioMessagingServiceSid string = ''

var suffix = uniqueString(resourceGroup().id)
var storageName = toLower('${namePrefix}st${take(suffix, 8)}')
var serviceBusName = '${namePrefix}-sb-${take(suffix, 8)}'
var vaultName = '${namePrefix}-kv-${take(suffix, 8)}'
var appName = '${namePrefix}-func-${take(suffix, 8)}'
var dispatchQueues = [ 'sms-dispatch', 'email-dispatch' ]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource alertEvents 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'alert-events'
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: serviceBusName
  location: location
  sku: { name: 'Standard', tier: 'Standard' }
  properties: { minimumTlsVersion: '1.2' }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = [for q in dispatchQueues: {
  parent: serviceBus
  name: q
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT5M'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
  }
}]

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-ai-${take(suffix, 8)}'
  location: location
  kind: 'web'
  properties: { Application_Type: 'web' }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${namePrefix}-plan-${take(suffix, 8)}'
  location: location
  sku: { name: 'Y1', tier: 'Dynamic' }
  kind: 'functionapp'
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: ''
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'custom' }
        { name: 'AzureWebJobsStorage', value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}' }
        { name: 'ServiceBusConnection__fullyQualifiedNamespace', value: '${serviceBus.name}.servicebus.windows.net' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'Twilio__AccountSid', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=twilio-account-sid)' }
        { name: 'Twilio__AuthToken', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=twilio-auth-token)' }
        { name: 'Twilio__MessagingServiceSid', value: twilioMessagingServiceSid }
        { name: 'Smtp__Password', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=smtp-password)' }
        { name: 'RecipientHashKey', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=recipient-hash-key)' }
        { name: 'Api__AdminKeyHash', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=api-admin-key-hash)' }
      ]
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
  }
}

// The app reads its secrets and talks to Service Bus with its managed identity.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var serviceBusDataOwner = '090c5cfd-751d-490a-894a-3ce6f1109419'

resource vaultAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, app.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource busAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, app.id, serviceBusDataOwner)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwner)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output functionAppName string = app.name
output storageAccountName string = storage.name
output serviceBusNamespace string = serviceBus.name
