// @kafkajs/confluent-schema-registry against the Schema Registry at
// $SCHEMA_REGISTRY_URL: registers an Order schema and two changes of it
// under SUBJECT, finds ids, fetches the schema, encodes and decodes an
// order in Confluent's wire format; one JSON object a line, each with its
// "step", errors as {"status", "message"}.
//   node kafkajs_registry.js SUBJECT
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const subject = process.argv[2];
const host = process.env.SCHEMA_REGISTRY_URL;
const registry = new SchemaRegistry({ host }, { retry: { retries: 0 } });

const order = (...extra) => JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'com.example',
  fields: [
    { name: 'order_id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['PENDING', 'COMPLETED', 'CANCELLED'] } },
    { name: 'items', type: { type: 'array', items: 'string' } },
    ...extra,
  ],
});
const v1 = order();
const v2 = order({ name: 'coupon', type: ['null', 'string'], default: null });
const v3 = order({ name: 'note', type: 'string' });

const out = (step, fields) => console.log(JSON.stringify({ step, ...fields }));

async function failed(step, call) {
  try {
    await call();
    out(step, { status: 200 });
  } catch (e) {
    out(step, { status: e.status, message: e.message });
  }
}

async function main() {
  out('register v1', await registry.register({ type: SchemaType.AVRO, schema: v1 }, { subject }));
  out('register v2', await registry.register({ type: SchemaType.AVRO, schema: v2 }, { subject }));
  await failed('register v3', () => registry.register({ type: SchemaType.AVRO, schema: v3 }, { subject }));
  out('latest id', { id: await registry.getLatestSchemaId(subject) });
  out('version 1 id', { id: await registry.getRegistryId(subject, 1) });
  out('id by schema', { id: await registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: v1 }) });

  const fresh = new SchemaRegistry({ host }); // nothing cached: fetches by id
  const id = await registry.getLatestSchemaId(subject);
  const schema = await fresh.getSchema(id);
  out('schema', { id, name: schema.name, fields: schema.fields.map((f) => f.name) });
  const payload = { order_id: 'ORD-0001', amount: 125.5, status: 'COMPLETED', items: ['a', 'b'], coupon: 'SPRING' };
  const encoded = await fresh.encode(id, payload);
  out('encoded', { id, hex: encoded.toString('hex'), payload });
  out('decoded', { value: await new SchemaRegistry({ host }).decode(encoded) });
  await failed('unknown id', () => new SchemaRegistry({ host }, { retry: { retries: 0 } }).getSchema(2147483000));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
