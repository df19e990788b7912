export {
  ACL_TABLE_DOCUMENT, ACL_TABLE_HEADING, aclBindings, aclEntry, AclTableError, applyAcls, describeBinding, parseAclTable, readAclTable,
} from './acl-table';
export type { AclBinding, AclDeployment, AclOperation, AclPrincipalPattern, AclResourceKind, AclRule, KafkaPrincipal } from './acl-table';
export { checkCredentials, deploymentOf, generateCredentials, newPassword, secureBroker, usersOf } from './credentials';
export type { KafkaCredentials } from './credentials';
export { upsertScramUsers } from './scram-credentials';
export type { ScramUser } from './scram-credentials';
