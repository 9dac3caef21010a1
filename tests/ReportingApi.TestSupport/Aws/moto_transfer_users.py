"""Makes moto 5.2.1's Transfer Family users behave as AWS's (moto-server.py imports it before moto's server starts).

Measured in moto's source (moto/transfer/models.py, responses.py) and by calls to it:
- UpdateUser is not implemented (NotImplementedError).
- A missing server, user or key is ServerNotFound, UserNotFound or PublicKeyNotFound; AWS answers ResourceNotFoundException,
  the only not-found error botocore's model (transfer/2018-11-05) lists for these operations.
- CreateUser on a missing server builds ServerNotFound without raising it, then fails with a KeyError (HTTP 500).
- CreateUser of an existing name adds a second user of that name; the model lists ResourceExistsException for it.
- ImportSshPublicKey takes any body, the same key twice, and names keys "{server}:{user}:public_key:{time}"; the model
  lists InvalidRequestException and ResourceExistsException for it, and names keys key-{17 hex digits}.
- No request is checked against the model (required members, lengths, patterns, enums).
- moto's server answers requests on threads, so two ImportSshPublicKey calls of one key at once could both pass a check
  and both add it (measured: 6 of 150 users got a key twice with four imports at once); AWS keeps a key once.

So this adds UpdateUser, raises the model's errors where moto raises its own or none, names keys as AWS does, makes
CreateUser and ImportSshPublicKey one step each (a lock from check to write), and checks every user request against
botocore's model of its operation (ValidationException, as FakeTransferService answers). It does
nothing else: servers, connectors, storage and moto's signature and IAM checks are moto's own.
"""
import base64
import json
import re
import secrets
import struct
import threading

import botocore.session
from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time
from moto.transfer import models, responses
from moto.transfer.exceptions import PublicKeyNotFound, ServerNotFound, UserNotFound

_MODEL = botocore.session.get_session().get_service_model("transfer")

# The key types AWS Transfer Family accepts for service-managed users (ImportSshPublicKey: "RSA, ECDSA, and ED25519").
_KEY_TYPES = {"ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"}


# Held from a change's check to its write, so that requests on moto's threads cannot both pass the check.
_USERS_CHANGING = threading.Lock()


class _AwsError(JsonRESTError):
    code = 400


def _not_found(message):
    return _AwsError("ResourceNotFoundException", message)


def _problems(shape, value, path):
    """What the model's shape says is wrong with value: required and unknown members, types, lengths, patterns, enums."""
    if shape.type_name == "structure":
        if not isinstance(value, dict):
            return [f"{path} must be an object"]
        found = [f"{path}.{name} is required" for name in shape.required_members if name not in value]
        found += [f"{path}.{name} is not a member" for name in value if name not in shape.members]
        for name, member in value.items():
            if name in shape.members:
                found += _problems(shape.members[name], member, f"{path}.{name}")
        return found
    if shape.type_name == "list":
        if not isinstance(value, list):
            return [f"{path} must be a list"]
        found = _length_problems(shape, len(value), path)
        for index, item in enumerate(value):
            found += _problems(shape.member, item, f"{path}[{index}]")
        return found
    if shape.type_name == "string":
        if not isinstance(value, str):
            return [f"{path} must be a string"]
        found = _length_problems(shape, len(value), path)
        pattern = shape.metadata.get("pattern")
        # Smithy's rule (as ServiceModel.cs): a pattern is not anchored, it must match within the value.
        if pattern is not None and _compiled(pattern) is not None and _compiled(pattern).search(value) is None:
            found.append(f"{path} does not match {pattern}")
        if shape.enum and value not in shape.enum:
            found.append(f"{path} is not one of {shape.enum}")
        return found
    if shape.type_name in ("integer", "long"):
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{path} must be an integer"]
    return []


def _compiled(pattern):
    """The pattern as a Python regular expression; None for the few that use Java-only syntax (\\p{...}), left unchecked."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _length_problems(shape, length, path):
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and length < low) or (high is not None and length > high):
        return [f"{path} has length {length}, allowed {low}..{high}"]
    return []


def _checked(operation, handler):
    def checked(self):
        problems = _problems(_MODEL.operation_model(operation).input_shape, json.loads(self.body or "{}"), operation)
        if problems:
            raise _AwsError("ValidationException", "; ".join(problems))
        return handler(self)

    return checked


def _server(backend, server_id):
    if server_id not in backend.servers:
        raise _not_found(f"Unknown server: {server_id}")
    return backend.servers[server_id]


def _user(backend, server_id, user_name):
    for user in _server(backend, server_id)._users:
        if user.user_name == user_name:
            return user
    raise _not_found(f"Unknown user: {user_name} on server {server_id}")


def _key_blob(body):
    """The key data of a 'type base64 [comment]' body, or None when AWS would not take it."""
    fields = body.split()
    if len(fields) < 2 or fields[0] not in _KEY_TYPES:
        return None
    try:
        blob = base64.b64decode(fields[1], validate=True)
        (length,) = struct.unpack(">I", blob[:4])
    except (ValueError, struct.error):
        return None
    return blob if blob[4:4 + length] == fields[0].encode() else None


def _mapping_not_found(method):
    def mapped(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (ServerNotFound, UserNotFound, PublicKeyNotFound) as error:
            raise _not_found(error.message) from error

    return mapped


_original_create_user = models.TransferBackend.create_user


def create_user(self, **kwargs):
    with _USERS_CHANGING:
        return _create_user(self, **kwargs)


def _create_user(self, **kwargs):
    server = _server(self, kwargs["server_id"])
    if any(user.user_name == kwargs["user_name"] for user in server._users):
        raise _AwsError("ResourceExistsException", f"User already exists: {kwargs['user_name']}")
    body = kwargs.get("ssh_public_key_body")
    if body is not None and _key_blob(body) is None:
        raise _AwsError("InvalidRequestException", "Unsupported or invalid SSH public key format")
    result = _original_create_user(self, **{**kwargs, "ssh_public_key_body": None})
    if body is not None:
        _import_ssh_public_key(self, kwargs["server_id"], body, kwargs["user_name"])
    return result


def import_ssh_public_key(self, server_id, ssh_public_key_body, user_name):
    with _USERS_CHANGING:
        return _import_ssh_public_key(self, server_id, ssh_public_key_body, user_name)


def _import_ssh_public_key(self, server_id, ssh_public_key_body, user_name):
    user = _user(self, server_id, user_name)
    blob = _key_blob(ssh_public_key_body)
    if blob is None:
        raise _AwsError("InvalidRequestException", "Unsupported or invalid SSH public key format")
    if any(_key_blob(key["ssh_public_key_body"]) == blob for key in user.ssh_public_keys):
        raise _AwsError("ResourceExistsException", "Key already exists")
    key_id = "key-" + secrets.token_hex(9)[:17]
    user.ssh_public_keys.append({"ssh_public_key_id": key_id, "ssh_public_key_body": ssh_public_key_body, "date_imported": unix_time()})
    return server_id, key_id, user_name


def update_user(self, server_id, user_name, settings):
    user = _user(self, server_id, user_name)
    for member, attribute in (("Role", "role"), ("Policy", "policy"), ("HomeDirectory", "home_directory"), ("HomeDirectoryType", "home_directory_type")):
        if member in settings:
            setattr(user, attribute, settings[member])
    if "HomeDirectoryMappings" in settings:
        user.home_directory_mappings = [
            {"entry": mapping.get("Entry"), "target": mapping.get("Target"), "type": mapping.get("Type")}
            for mapping in settings["HomeDirectoryMappings"]
        ]
    return server_id, user_name


def update_user_response(self):
    params = json.loads(self.body)
    server_id, user_name = self.transfer_backend.update_user(params["ServerId"], params["UserName"], params)
    return json.dumps({"ServerId": server_id, "UserName": user_name})


models.TransferBackend.create_user = create_user
models.TransferBackend.import_ssh_public_key = import_ssh_public_key
models.TransferBackend.update_user = update_user
for name in ("describe_user", "delete_user", "delete_ssh_public_key"):
    setattr(models.TransferBackend, name, _mapping_not_found(getattr(models.TransferBackend, name)))

responses.TransferResponse.update_user = update_user_response
for operation, name in (
    ("CreateUser", "create_user"),
    ("UpdateUser", "update_user"),
    ("DescribeUser", "describe_user"),
    ("DeleteUser", "delete_user"),
    ("ImportSshPublicKey", "import_ssh_public_key"),
    ("DeleteSshPublicKey", "delete_ssh_public_key"),
):
    setattr(responses.TransferResponse, name, _checked(operation, getattr(responses.TransferResponse, name)))
