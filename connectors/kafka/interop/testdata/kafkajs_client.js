// kafkajs producer and consumer group, one JSON object a line on stdout.
//   node kafkajs_client.js produce TOPIC N        N keyed orders, acks -1 (all)
//   node kafkajs_client.js consume TOPIC GROUP N  N messages in a group from
//                                                 the beginning, committed on
//                                                 disconnect
// The broker is $KAFKA_BROKERS.
const { Kafka, logLevel } = require('kafkajs');

const [mode, topic, ...rest] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: 'tide-interop',
  brokers: process.env.KAFKA_BROKERS.split(','),
  logLevel: logLevel.ERROR,
});

async function produce(n) {
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < n; i++) {
    const order = {
      order_id: `ORD-${String(i).padStart(4, '0')}`,
      customer_id: `CUST-${String(i % 3).padStart(3, '0')}`,
      amount: 100 + i * 10.5,
      timestamp: new Date().toISOString(),
      status: 'PENDING',
    };
    messages.push({ key: order.customer_id, value: JSON.stringify(order) });
  }
  const results = await producer.send({ topic, acks: -1, messages });
  for (const r of results) {
    console.log(JSON.stringify({ partition: r.partition, offset: Number(r.baseOffset), errorCode: r.errorCode }));
  }
  await producer.disconnect();
}

async function consume(group, n) {
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${seen} of ${n} messages`)), 60000);
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        console.log(JSON.stringify({
          partition,
          offset: Number(message.offset),
          key: message.key === null ? null : message.key.toString(),
          value: message.value === null ? null : message.value.toString(),
        }));
        if (++seen === n) {
          clearTimeout(timer);
          resolve();
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
}

const run = mode === 'produce' ? produce(Number(rest[0])) : consume(rest[0], Number(rest[1]));
run.catch((e) => {
  console.error(e);
  process.exit(1);
});
