// AlertPipeline in Azure: an isolated-worker (.NET) function app on the Flex Consumption plan, its storage account
// (queues, tables, deployment package), Service Bus dispatch queues, Key Vault and Application Insights, all reached
// with the app's managed identity. Deployed by `azd up` (azure.yaml) with main.bicepparam; docs/deploy.md.
targetScope = 'subscription'

@description('azd environment name: names the resource group and tags every resource.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Region of every resource (one where Flex Consumption runs: az functionapp list-flexconsumption-locations).')
@minLength(1)
param location string

@description('Short prefix of resource names: 3-11 lowercase letters or digits, starting with a letter.')
@minLength(3)
@maxLength(11)
param namePrefix string = 'alerts'

@description('Object id of the user running the deployment (azd sets AZURE_PRINCIPAL_ID): may write Key Vault secrets.')
param principalId string = ''

@description('.NET version of the isolated worker: the TargetFramework of src/AlertPipeline.Functions (net10.0).')
@allowed(['8.0', '9.0', '10.0'])
param dotnetVersion string = '10.0'

@description('Memory of each Flex Consumption instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Always-ready instances: they host the Service Bus dispatch processor and answer HTTP without a cold start.')
@minValue(1)
@maxValue(10)
param alwaysReadyInstances int = 1

@description('Twilio Messaging Service SID (MG + 32 hex digits); the account SID and auth token go to Key Vault.')
@minLength(34)
@maxLength(34)
param twilioMessagingServiceSid string

@description('Twilio message segments per second (a long code sends about 1).')
param twilioSegmentsPerSecond string = '1'

@description('SMTP submission server (STARTTLS on smtpPort); the password goes to Key Vault.')
@minLength(1)
param smtpHost string

@description('SMTP submission port (587: STARTTLS; implicit TLS on 465 is not supported).')
param smtpPort int = 587

@description('SMTP login.')
@minLength(1)
param smtpUserName string

@description('Sender address of alert emails.')
@minLength(3)
param smtpFrom string

@description('Sender display name of alert emails.')
param smtpFromName string = 'Solidarity alerts'

@description('Price of one SMS segment, for the preview\'s cost estimate (0: unknown).')
param smsPricePerSegment string = '0'

@description('ISO 4217 currency of smsPricePerSegment.')
@minLength(3)
@maxLength(3)
param smsPriceCurrency string = 'USD'

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName, application: 'alertpipeline' }
var names = {
  resourceGroup: 'rg-${environmentName}'
  storage: take(toLower('${namePrefix}st${token}'), 24)
  serviceBus: '${namePrefix}-sb-${token}'
  vault: take('${namePrefix}-kv-${token}', 24)
  workspace: '${namePrefix}-log-${token}'
  insights: '${namePrefix}-ai-${token}'
  plan: '${namePrefix}-plan-${token}'
  app: '${namePrefix}-func-${token}'
  deploymentContainer: 'app-package'
}

// What the app reads and writes (the tests check these against the code's QueueNames and table constants).
var storageQueues = ['alert-events', 'alert-events-poison', 'fanout-chunks', 'fanout-chunks-poison', 'contact-imports', 'contact-imports-poison', 'sms-status', 'sms-status-poison']
// Blob containers of the app's own data (the uploaded files of contact import jobs; each is deleted when its job ends).
var blobContainers = ['contact-imports']
var dispatchQueues = ['sms-dispatch', 'email-dispatch']
var tables = [
  'Unions'
  'Branches'
  'Contacts'
  'Campaigns'
  'Subscriptions'
  'OptOuts'
  'Alerts'
  'Deliveries'
  'RejectedEvents'
  'RecipientIndex'
  'DeferredDispatches'
  'CampaignMembers'
  'InboundMessages'
  'ApiKeys'
  'Audit'
  'Schedules'
  'FiredOccurrences'
  'ImportJobs'
  'ImportJobLines'
  'ProviderIds'
  'FanOutRedrives'
  'DispatchRedrives'
  'StatusRedrives'
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    workspaceName: names.workspace
    insightsName: names.insights
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    accountName: names.storage
    deploymentContainerName: names.deploymentContainer
    queueNames: storageQueues
    tableNames: tables
    containerNames: blobContainers
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    location: location
    tags: tags
    namespaceName: names.serviceBus
    queueNames: dispatchQueues
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    vaultName: names.vault
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    location: location
    tags: tags
    planName: names.plan
    appName: names.app
    serviceName: 'functions'
    dotnetVersion: dotnetVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyInstances: alwaysReadyInstances
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    vaultName: vault.outputs.vaultName
    insightsConnectionString: monitoring.outputs.insightsConnectionString
    twilioMessagingServiceSid: twilioMessagingServiceSid
    twilioSegmentsPerSecond: twilioSegmentsPerSecond
    smtpHost: smtpHost
    smtpPort: smtpPort
    smtpUserName: smtpUserName
    smtpFrom: smtpFrom
    smtpFromName: smtpFromName
    smsPricePerSegment: smsPricePerSegment
    smsPriceCurrency: smsPriceCurrency
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    appPrincipalId: functionApp.outputs.principalId
    deployerPrincipalId: principalId
    storageAccountName: storage.outputs.accountName
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    vaultName: vault.outputs.vaultName
    insightsName: monitoring.outputs.insightsName
  }
}

// What azd (and docs/deploy.md's commands) read after provisioning.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.appName
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = vault.outputs.vaultName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.accountName
output AZURE_SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.insightsName
