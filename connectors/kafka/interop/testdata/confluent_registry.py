# confluent-kafka-python's SchemaRegistryClient (the client of the course's
# section 4.4 AvroSerializer) against the Schema Registry at
# $SCHEMA_REGISTRY_URL: registers the course's Order schema and two changes
# of it under SUBJECT, fetches, looks up, tests compatibility, sets the
# subject's level, deletes (softly, and another subject permanently); prints one JSON object a line, each with its
# "step", errors as {"status", "code", "message"}.
# usage: confluent_registry.py SUBJECT
import json
import os
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

subject = sys.argv[1]
url = os.environ["SCHEMA_REGISTRY_URL"]
client = SchemaRegistryClient({"url": url})


def fresh():
    """A client with an empty cache, so that each call reaches the registry."""
    return SchemaRegistryClient({"url": url})


def order(*extra):
    fields = [
        {"name": "order_id", "type": "string"},
        {"name": "customer_id", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "timestamp", "type": "long"},
    ] + list(extra)
    return json.dumps({"type": "record", "name": "Order", "fields": fields})


V1 = order()
V2 = order({"name": "status", "type": "string", "default": "PENDING"})
V3 = order({"name": "note", "type": "string"})


def out(step, **kv):
    print(json.dumps(dict(step=step, **kv)), flush=True)


def failed(step, call):
    try:
        call()
    except SchemaRegistryError as e:
        out(step, status=e.http_status_code, code=e.error_code, message=e.error_message)
        return
    out(step, status=200)


out("register v1", id=client.register_schema(subject, Schema(V1, "AVRO")))
out("register v1 again", id=fresh().register_schema(subject, Schema(V1, "AVRO")))
s = fresh().get_schema(client.register_schema(subject, Schema(V1, "AVRO")))
out("get schema", schema=s.schema_str, type=s.schema_type)
found = fresh().lookup_schema(subject, Schema(V1, "AVRO"))
out("lookup", id=found.schema_id, version=found.version, subject=found.subject)
out("test v2", compatible=client.test_compatibility(subject, Schema(V2, "AVRO")))
out("test v3", compatible=client.test_compatibility(subject, Schema(V3, "AVRO")))
out("register v2", id=client.register_schema(subject, Schema(V2, "AVRO")))
failed("register v3", lambda: client.register_schema(subject, Schema(V3, "AVRO")))
latest = fresh().get_latest_version(subject)
out("latest", id=latest.schema_id, version=latest.version, schema=latest.schema.schema_str)
v1 = fresh().get_version(subject, 1)
out("version 1", id=v1.schema_id, version=v1.version, schema=v1.schema.schema_str)
out("versions", versions=client.get_versions(subject))
out("subjects", subjects=client.get_subjects())
out("global compatibility", level=client.get_compatibility())
failed("subject compatibility unset", lambda: client.get_compatibility(subject))
out("set compatibility", result=client.set_compatibility(subject_name=subject, level="none"))
out("subject compatibility", level=client.get_compatibility(subject))
out("test v3 under NONE", compatible=client.test_compatibility(subject, Schema(V3, "AVRO")))
out("register v3 under NONE", id=client.register_schema(subject, Schema(V3, "AVRO")))
failed("register an invalid schema", lambda: client.register_schema(
    subject + "-bad", Schema('{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}', "AVRO")))
failed("register a JSON schema", lambda: client.register_schema(subject + "-json", Schema('{"type":"object"}', "JSON")))
failed("get an unknown id", lambda: fresh().get_schema(2147483000))
failed("an unknown version", lambda: fresh().get_version(subject, 42))
failed("an unknown subject", lambda: fresh().get_latest_version(subject + "-nosuch"))
out("delete version 3", version=client.delete_version(subject, 3))
out("versions after", versions=client.get_versions(subject))
out("delete subject", versions=client.delete_subject(subject))
failed("versions of the deleted subject", lambda: client.get_versions(subject))
client.register_schema(subject + "-gone", Schema(V1, "AVRO"))
out("delete permanently", versions=client.delete_subject(subject + "-gone", permanent=True))
