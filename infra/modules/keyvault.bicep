// The Key Vault holding the Twilio and SMTP secrets, the recipient-hash key and the admin key hash. Access is by
// Azure RBAC only (no access policies); the app reads secrets through Key Vault references with its identity.

@description('Region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Globally unique vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param vaultName string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
    publicNetworkAccess: 'Enabled'
  }
}

output vaultName string = vault.name
output vaultId string = vault.id
output vaultUri string = vault.properties.vaultUri
