import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Ledger } from '../contract';

/**
 * The DynamoDB calls the handler makes, and nothing more: the event and
 * deployment claims and the records are conditional PutItems, a failed stop
 * releases its claim with DeleteItem, and a lost claim is read with GetItem
 * (`lambda/ledger/`). A test compares this list with the commands the
 * handler's source sends.
 */
export const LEDGER_HANDLER_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'];

/** The ledger table an AlarmRollback creates when none is given, encrypted with `encryptionKey` when there is one. */
export function createLedgerTable(scope: Construct, removalPolicy: RemovalPolicy, encryptionKey?: kms.IKey): dynamodb.Table {
  const table = new dynamodb.Table(scope, 'Ledger', {
    partitionKey: { name: Ledger.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    sortKey: { name: Ledger.SORT_KEY, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...(encryptionKey
      ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey }
      : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
    timeToLiveAttribute: Ledger.TTL_ATTRIBUTE,
    removalPolicy,
  });
  table.addGlobalSecondaryIndex({
    indexName: Ledger.OUTCOME_INDEX,
    partitionKey: { name: Ledger.OUTCOME_INDEX_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    sortKey: { name: Ledger.OUTCOME_INDEX_SORT_KEY, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.ALL,
  });
  return table;
}

/** Claims and records: the handler's calls on the table itself, never its indexes, and use of its KMS key. */
export function grantLedgerAccess(ledger: dynamodb.ITable, grantee: iam.IGrantable): void {
  iam.Grant.addToPrincipal({ grantee, actions: LEDGER_HANDLER_ACTIONS, resourceArns: [ledger.tableArn] });
  ledger.encryptionKey?.grantEncryptDecrypt(grantee);
}
