// Azurite's table store without HTTP: how fast LokiTableMetadataStore.insertTableEntity's two steps (findOne on
// PartitionKey + RowKey, then insert; the collection indexed on both, as Azurite creates it) run into
//   (a) a partition that already holds N rows, (b) a new partition of the same collection, (c) a new collection.
// Usage: node bench/azurite/partition-insert.js [N ...]   (default 1000 6000 25000 100000)
// See bench/README.md, "Why Azurite's inserts slow down".
'use strict';
const loki = require('lokijs');

const db = new loki('partition-insert.db');
const collection = (name) => db.addCollection(name, { indices: ['PartitionKey', 'RowKey'] });
const insert = (c, pk, rk) => {
  if (c.findOne({ PartitionKey: pk, RowKey: rk })) throw new Error('exists');
  c.insert({ PartitionKey: pk, RowKey: rk, properties: { Status: 'Pending' } });
};
const rate = (c, pk, n, prefix) => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) insert(c, pk, `${prefix}~${i.toString(16).padStart(8, '0')}`);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
};

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1000, 6000, 25000, 100000];
for (const n of sizes) {
  const grown = collection(`grown${n}`);
  for (let i = 0; i < n; i++) insert(grown, 'alert~0', `sms~${((i * 2654435761) % 4294967296).toString(16).padStart(8, '0')}`);
  const fresh = collection(`fresh${n}`);
  const inGrown = rate(grown, 'alert~0', 2000, 'a');
  const inNewPartition = rate(grown, 'alert~1', 2000, 'b');
  const inNewTable = rate(fresh, 'alert~0', 2000, 'c');
  console.log(`${n} rows already in the partition: 2,000 inserts at ${inGrown.toFixed(0)}/s into it, ` +
    `${inNewPartition.toFixed(0)}/s into a new partition of the same table, ${inNewTable.toFixed(0)}/s into a new table`);
  db.removeCollection(`grown${n}`);
  db.removeCollection(`fresh${n}`);
}
