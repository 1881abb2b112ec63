"""Options become the proto messages the server reads; the channel gets retry policy and ×4-sized limits."""

from __future__ import annotations

import json

from restoregrpc import ClientConfig, FaceOptions, RestoreOptions
from restoregrpc._proto import image_pb2, restore_service_pb2 as pb


def test_restore_options_map_to_the_proto() -> None:
    proto = RestoreOptions(
        model="m", task="faces", scale=3.5, tile_size=128, tile_margin=10, output_format="webp", quality=80,
        strip_metadata=True, priority="BATCH", faces=FaceOptions(blend=0.5, selection="largest"),
    ).to_proto()
    assert proto.model == "m" and proto.task == pb.RESTORE_TASK_FACES and proto.scale == 3.5
    assert (proto.tiling.tile_size, proto.tiling.tile_margin) == (128, 10)
    assert proto.output.format == image_pb2.IMAGE_FORMAT_WEBP and proto.output.quality == 80 and proto.output.strip_metadata
    assert proto.priority == pb.PRIORITY_BATCH
    assert proto.faces.HasField("blend") and proto.faces.blend == 0.5 and proto.faces.selection == pb.FACE_SELECTION_LARGEST


def test_defaults_leave_everything_to_the_server() -> None:
    proto = RestoreOptions().to_proto()
    assert proto.model == "" and proto.task == 0 and proto.output.format == 0 and not proto.HasField("faces")
    assert not FaceOptions().to_proto().HasField("blend")


def test_channel_options_retry_unavailable_and_allow_x4_outputs() -> None:
    options = dict(ClientConfig(max_attempts=3).grpc_options())
    assert options["grpc.max_receive_message_length"] == 512 * 1024 * 1024
    policy = json.loads(options["grpc.service_config"])["methodConfig"][0]["retryPolicy"]  # type: ignore[arg-type]
    assert policy["maxAttempts"] == 3 and policy["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert json.loads(dict(ClientConfig(max_attempts=1).grpc_options())["grpc.service_config"]) == {}  # type: ignore[arg-type]
    assert ClientConfig().channel_credentials() is None
    assert ClientConfig(tls=True).channel_credentials() is not None
