// Parameters of main.bicep. azd evaluates this file with the azd environment's values as environment variables:
// set the required ones once with `azd env set NAME value` (docs/deploy.md).
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'alertpipeline')
param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param namePrefix = readEnvironmentVariable('ALERTS_NAME_PREFIX', 'alerts')

// Required: the Twilio Messaging Service and the SMTP account.
param twilioMessagingServiceSid = readEnvironmentVariable('TWILIO_MESSAGING_SERVICE_SID')
param smtpHost = readEnvironmentVariable('SMTP_HOST')
param smtpUserName = readEnvironmentVariable('SMTP_USERNAME')
param smtpFrom = readEnvironmentVariable('SMTP_FROM')

// Optional.
param smtpPort = int(readEnvironmentVariable('SMTP_PORT', '587'))
param smtpFromName = readEnvironmentVariable('SMTP_FROM_NAME', 'Solidarity alerts')
param twilioSegmentsPerSecond = readEnvironmentVariable('TWILIO_SEGMENTS_PER_SECOND', '1')
param alwaysReadyInstances = int(readEnvironmentVariable('ALWAYS_READY_INSTANCES', '1'))
param maximumInstanceCount = int(readEnvironmentVariable('MAXIMUM_INSTANCE_COUNT', '40'))
param smsPricePerSegment = readEnvironmentVariable('SMS_PRICE_PER_SEGMENT', '0')
param smsPriceCurrency = readEnvironmentVariable('SMS_PRICE_CURRENCY', 'USD')
