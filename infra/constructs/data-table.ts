import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { BUREAU_WORK_ATTRIBUTES, GSI1, GSI2, GSI3, GSI4 } from '../../shared/adapters/keys.js';
import { DECLARATION_SUMMARY_FIELDS } from '../../shared/schemas/declaration.js';

/**
 * What GSI1 projects for listings: exactly the fields of the declaration summary schema (the header
 * without its lines), so a page of 100 declarations costs what its summaries weigh, not what their
 * lines weigh; plus `version` for the rule set listing. CloudFormation allows at most 20.
 */
export const LISTING_INDEX_ATTRIBUTES: readonly string[] = [...DECLARATION_SUMMARY_FIELDS, 'version'];

/**
 * The one table every bureau of the region shares (key design: docs/data-model.md).
 * On-demand, point-in-time recovery, deletion protection outside dev. No TTL: nothing stored expires.
 */
export class DataTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: { production: boolean }) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.production,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      globalSecondaryIndexes: [
        {
          indexName: GSI1,
          partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
          // Listings read summaries, never lines.
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: [...LISTING_INDEX_ATTRIBUTES],
        },
        {
          indexName: GSI2,
          partitionKey: { name: 'gsi2pk', type: AttributeType.STRING },
          sortKey: { name: 'gsi2sk', type: AttributeType.STRING },
          // Only keys: the sweep needs ids and ages, nothing else.
          projectionType: ProjectionType.KEYS_ONLY,
        },
        {
          indexName: GSI3,
          partitionKey: { name: 'gsi3pk', type: AttributeType.STRING },
          sortKey: { name: 'gsi3sk', type: AttributeType.STRING },
          projectionType: ProjectionType.KEYS_ONLY,
        },
        {
          // A bureau's worklist and the declarations involving it: the worklist is served from the
          // index alone (what an entry shows is projected); listings read headers by BatchGet.
          indexName: GSI4,
          partitionKey: { name: 'gsi4pk', type: AttributeType.STRING },
          sortKey: { name: 'gsi4sk', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: [...BUREAU_WORK_ATTRIBUTES],
        },
      ],
    });
  }
}
