// kafkajs with @kafkajs/confluent-schema-registry: Avro in Confluent's wire
// format, one JSON object a line on stdout.
//   node kafkajs_avro.js produce REGISTRY TOPIC N   registers the course's
//       Order schema (section 4.4) under TOPIC-value, then sends N orders
//       keyed by customer (the key a plain string, as the course's
//       StringSerializer writes it); prints each order it sent
//   node kafkajs_avro.js consume REGISTRY TOPIC N   reads N messages from the
//       beginning (read committed) and prints each decoded key and value
// The broker is $KAFKA_BROKERS.
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const [mode, url, topic, n] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: 'tide-interop-avro',
  brokers: process.env.KAFKA_BROKERS.split(','),
  logLevel: logLevel.ERROR,
});
const registry = new SchemaRegistry({ host: url });

const orderSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'order_id', type: 'string' },
    { name: 'customer_id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'timestamp', type: 'long' },
  ],
};

async function produce(count) {
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(orderSchema) },
    { subject: `${topic}-value` },
  );
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  const t0 = Date.UTC(2024, 0, 15, 10, 0, 0);
  for (let i = 0; i < count; i++) {
    const order = {
      order_id: `ORD-${String(i).padStart(4, '0')}`,
      customer_id: `CUST-${String(i % 3).padStart(3, '0')}`,
      amount: 100 + i * 25.5,
      timestamp: t0 + i * 1500,
    };
    messages.push({ key: order.customer_id, value: await registry.encode(id, order) });
    console.log(JSON.stringify({ schemaId: id, order }));
  }
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

// decoded is a key or value decoded by the registry client when it is in
// Confluent's wire format, else its text.
async function decoded(buf) {
  if (buf === null) return null;
  if (buf.length > 5 && buf[0] === 0) return registry.decode(buf);
  return buf.toString();
}

async function consume(count) {
  const consumer = kafka.consumer({ groupId: `${topic}-avro-reader` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${seen} of ${count} messages`)), 60000);
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const key = await decoded(message.key);
        const value = await decoded(message.value);
        console.log(JSON.stringify({ partition, offset: Number(message.offset), schemaId: message.value.readUInt32BE(1), key, value }));
        if (++seen === count) {
          clearTimeout(timer);
          resolve();
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
}

(mode === 'produce' ? produce(Number(n)) : consume(Number(n))).catch((e) => {
  console.error(e);
  process.exit(1);
});
