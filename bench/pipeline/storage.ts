/**
 * The table's size in a local run (DescribeTable's TableSizeBytes and ItemCount from DynamoDB
 * Local, endpoints in `<dataDir>/endpoints.json`): bytes and items stored per declaration, for the
 * storage line of the cost model. DynamoDB bills storage as item bytes plus 100 bytes of overhead
 * per item (and per index entry), which this adds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type TableSize = { bytes: number; items: number };

export function tableProbe(dataDir: string | undefined): { size(): Promise<TableSize | undefined>; close(): void } | undefined {
  const file = dataDir && path.join(dataDir, 'endpoints.json');
  if (!file || !fs.existsSync(file)) return undefined;
  const endpoints = JSON.parse(fs.readFileSync(file, 'utf8')) as { dynamodb: string; tables: Record<string, string> };
  const client = new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    size: async () => {
      try {
        let bytes = 0;
        let items = 0;
        for (const TableName of Object.values(endpoints.tables)) {
          const { Table } = await client.send(new DescribeTableCommand({ TableName }));
          bytes += Table?.TableSizeBytes ?? 0;
          items += Table?.ItemCount ?? 0;
          for (const index of Table?.GlobalSecondaryIndexes ?? []) {
            bytes += index.IndexSizeBytes ?? 0;
            items += index.ItemCount ?? 0;
          }
        }
        return { bytes: bytes + 100 * items, items };
      } catch {
        return undefined;
      }
    },
    close: () => client.destroy(),
  };
}
