// The Flex Consumption (FC1) plan and the isolated-worker function app. The runtime, the deployment package
// container and scaling live in functionAppConfig (Flex Consumption has no FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION or WEBSITE_RUN_FROM_PACKAGE settings). Every connection is identity-based: the
// system-assigned identity reaches Storage, Service Bus, Key Vault and Application Insights (roles in roles.bicep).

@description('Region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the Flex Consumption plan.')
param planName string

@description('Globally unique name of the function app.')
param appName string

@description('Tag azd uses to find the app it deploys (azure.yaml service name).')
param serviceName string

@description('.NET version of the isolated worker (the app\'s TargetFramework).')
param dotnetVersion string

@description('Memory of each instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Instances kept running for the HTTP group; the Service Bus dispatch processor runs inside them.')
@minValue(0)
param alwaysReadyInstances int

@description('Blob container URL of the deployment package.')
param deploymentContainerUrl string

@description('Endpoints of the storage account (AzureWebJobsStorage, identity-based).')
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

@description('Host name of the Service Bus namespace (ServiceBusConnection, identity-based).')
param serviceBusNamespace string

@description('Name of the Key Vault the secrets are referenced from.')
param vaultName string

@description('Application Insights connection string.')
param insightsConnectionString string

@description('Twilio Messaging Service SID (MG + 32 hex digits).')
param twilioMessagingServiceSid string

@description('Twilio message segments per second (a long code: about 1).')
param twilioSegmentsPerSecond string

@description('SMTP submission server, port, login and sender.')
param smtpHost string
param smtpPort int
param smtpUserName string
param smtpFrom string
param smtpFromName string

@description('The per-segment SMS price and its currency, for the preview\'s cost estimate.')
param smsPricePerSegment string
param smsPriceCurrency string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: [
          {
            name: 'http'
            instanceCount: alwaysReadyInstances
          }
        ]
      }
    }
  }
}

// Basic (publishing) credentials stay off: azd and the Azure CLI deploy with Microsoft Entra ID.
resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

var publicOrigin = 'https://${app.properties.defaultHostName}'

// The app settings (names as the app reads them: section:key written section__key). Secrets are Key Vault references
// resolved by the platform with the app's identity. The tests compare this list with the app's options classes and
// connection names.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespace
    // Dispatch through the Service Bus queues above (docs/pipeline.md, "Service Bus transport"), not Storage queues.
    Pipeline__Dispatch__Transport: 'ServiceBus'
    APPLICATIONINSIGHTS_CONNECTION_STRING: insightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    RecipientHashKey: '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=recipient-hash-key)'
    Api__AdminKeyHash: '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=api-admin-key-hash)'
    Twilio__AccountSid: '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=twilio-account-sid)'
    Twilio__AuthToken: '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=twilio-auth-token)'
    Twilio__MessagingServiceSid: twilioMessagingServiceSid
    Twilio__SegmentsPerSecond: twilioSegmentsPerSecond
    Twilio__StatusCallbackBaseUrl: '${publicOrigin}/api'
    Twilio__WebhookBaseUrl: publicOrigin
    Smtp__Host: smtpHost
    Smtp__Port: string(smtpPort)
    Smtp__UseStartTls: 'true'
    Smtp__UserName: smtpUserName
    Smtp__Password: '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=smtp-password)'
    Smtp__From: smtpFrom
    Smtp__FromName: smtpFromName
    Pipeline__SmsPricePerSegment: smsPricePerSegment
    Pipeline__SmsPriceCurrency: smsPriceCurrency
    // ScheduleTick's timer reads its NCRONTAB schedule from this setting (%ScheduleTick:Schedule%): every minute.
    ScheduleTick__Schedule: '0 */1 * * * *'
  }
}

output appName string = app.name
output principalId string = app.identity.principalId
output defaultHostName string = app.properties.defaultHostName
