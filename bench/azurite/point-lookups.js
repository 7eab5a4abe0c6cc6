// Preloaded into the Azurite processes of the harnesses that time the app under load (node --require this file;
// tests/AlertPipeline.Testing/Faults/HarnessAzurite.cs). It changes how Azurite 3.35.0 finds ONE entity, not what it
// finds.
//
// Azurite's table store (dist/src/table/persistence/LokiTableMetadataStore.js) finds an entity for every point read,
// insert, upsert, merge, replace and delete with collection.findOne({ PartitionKey, RowKey }) on a LokiJS collection
// indexed on both fields. LokiJS (1.5.12, Resultset.findAnd) resolves a two-field query as an $and: only its first
// field may use a binary index, so it takes the whole partition from the PartitionKey index and compares the RowKey of
// every row in it. Each point operation therefore costs as much as the partition is large (bench/README.md, "Why
// Azurite's inserts slow down"); in the responsiveness run these scans were about half of Azurite's CPU time
// (docs/reliability.md). The real Table Storage looks an entity up by its key.
//
// Here findOne asks the same two-field question with the more selective field first: whichever of the PartitionKey
// and RowKey index ranges holds fewer rows (two binary searches) is used, and the other field is compared on those
// rows only. The answer is the same entity (an $and of two equalities does not depend on their order); only the
// number of rows compared changes. Every other query is passed through unchanged.
//
// Queries (queryTableEntities) are LokiJS where() calls with a JS predicate over every row of the table. When the
// filter's top level requires one PartitionKey (`PartitionKey eq '…' and …`, as the app's partition reads are), the
// rows of that partition are first taken from the PartitionKey index and the whole predicate is then evaluated on them
// only: the same rows pass (the predicate still checks everything); the other partitions are no longer walked.
//
// Try it without Azurite: node --require ./bench/azurite/point-lookups.js bench/azurite/partition-insert.js
'use strict';
const path = require('path');

// The modules Azurite itself loads (resolved from Azurite's package folder, so the module cache entries are shared).
const azurite = path.join(__dirname, '..', '..', 'node_modules', 'azurite');
const Loki = require(require.resolve('lokijs', { paths: [azurite] }));
const queries = require(path.join(azurite, 'dist', 'src', 'table', 'persistence', 'LokiTableStoreQueryGenerator.js')).default;
const QueryParser = require(path.join(azurite, 'dist', 'src', 'table', 'persistence', 'QueryInterpreter', 'QueryParser.js')).default;
const findOne = Loki.Collection.prototype.findOne;

Loki.Collection.prototype.findOne = function findOneBySelectiveKey(query) {
  if (query !== null && typeof query === 'object' && this.binaryIndices.PartitionKey && this.binaryIndices.RowKey && this.data.length > 0) {
    const keys = Object.keys(query);
    if (keys.length === 2 && keys[0] === 'PartitionKey' && keys[1] === 'RowKey'
      && typeof query.PartitionKey === 'string' && typeof query.RowKey === 'string') {
      this.ensureIndex('PartitionKey');
      this.ensureIndex('RowKey');
      const [partitionStart, partitionEnd] = this.calculateRange('$eq', 'PartitionKey', query.PartitionKey);
      const [rowStart, rowEnd] = this.calculateRange('$eq', 'RowKey', query.RowKey);
      if (rowEnd - rowStart < partitionEnd - partitionStart) {
        return findOne.call(this, { RowKey: query.RowKey, PartitionKey: query.PartitionKey });
      }
    }
  }

  return findOne.call(this, query);
};

// The one PartitionKey a parsed filter requires at its top level (through nested `and`s), or undefined.
function requiredPartitionKey(node) {
  if (node === null || typeof node !== 'object') {
    return undefined;
  }

  if (node.name === 'and') {
    return requiredPartitionKey(node.left) ?? requiredPartitionKey(node.right);
  }

  if (node.name === 'eq') {
    for (const [identifier, constant] of [[node.left, node.right], [node.right, node.left]]) {
      if (identifier?.name === 'id' && identifier.identifier === 'PartitionKey'
        && constant?.name === 'constant' && typeof constant.value === 'string') {
        return constant.value;
      }
    }
  }

  return undefined;
}

const entityWhere = queries.generateQueryEntityWhereFunction;
queries.generateQueryEntityWhereFunction = function entityWhereWithPartition(query) {
  const where = entityWhere.call(this, query);
  if (typeof query === 'string' && query.includes('PartitionKey')) {
    const partitionKey = requiredPartitionKey(QueryParser(query));
    if (partitionKey !== undefined) {
      where.partitionKey = partitionKey;
    }
  }

  return where;
};

const resultsetWhere = Loki.Resultset.prototype.where;
Loki.Resultset.prototype.where = function whereInPartition(fun) {
  if (typeof fun === 'function' && typeof fun.partitionKey === 'string' && !this.filterInitialized
    && this.collection.binaryIndices.PartitionKey) {
    this.find({ PartitionKey: fun.partitionKey });
  }

  return resultsetWhere.call(this, fun);
};
