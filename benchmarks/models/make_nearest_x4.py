#!/usr/bin/python3
"""Writes nearest-x4.onnx, the benchmark's stand-in model, with the onnx library (Debian: python3-onnx).

A x4 "model" that costs next to nothing to run: one Resize (nearest) with the Real-ESRGAN contract
(input [N,3,H,W] float -> output [N,3,4H,4W]). Served through the real pipeline it stands in for an infinitely fast
accelerator, so a sweep with it measures what the server itself costs per image.

    /usr/bin/python3 benchmarks/models/make_nearest_x4.py   # rewrites benchmarks/models/nearest-x4.onnx
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

OPSET = 13  # Resize with a `scales` input (opset 11+); ONNX Runtime 1.2x supports it on CPU and CUDA.
IR_VERSION = 8


def build() -> onnx.ModelProto:
    scales = helper.make_tensor("scales", TensorProto.FLOAT, [4], [1.0, 1.0, 4.0, 4.0])
    resize = helper.make_node("Resize", ["input", "", "scales"], ["output"], mode="nearest")
    graph = helper.make_graph(
        [resize],
        "nearest-x4",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3, "H4", "W4"])],
        initializer=[scales],
    )
    model = helper.make_model(
        graph,
        producer_name="RestoreGrpc.Benchmarks",
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
    )
    onnx.checker.check_model(model, full_check=True)
    return model


if __name__ == "__main__":
    # The output path is the first argument (the benchmark passes one); by default beside this script.
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "nearest-x4.onnx")
    onnx.save(build(), path)
    print(f"wrote {path}")
