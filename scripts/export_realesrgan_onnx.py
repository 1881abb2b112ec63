"""Export an official Real-ESRGAN checkpoint to ONNX with the contract RestoreGrpc expects.

Contract: input "input" [N,3,H,W] float32 RGB in [0,1], output "output" [N,3,sH,sW]; N, H, W dynamic.
Usage: python3 export_realesrgan_onnx.py NAME weights.pth out.onnx
SRVGGNetCompact is defined here (it is 30 lines, BSD-3-Clause, from Real-ESRGAN); RRDBNet comes from basicsr.
"""
import sys

import torch
from torch import nn
from torch.nn import functional as F


class SRVGGNetCompact(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=64, num_conv=16, upscale=4):
        super().__init__()
        self.upscale = upscale
        self.body = nn.ModuleList([nn.Conv2d(num_in_ch, num_feat, 3, 1, 1), nn.PReLU(num_parameters=num_feat)])
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(nn.PReLU(num_parameters=num_feat))
        self.body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.upsampler = nn.PixelShuffle(upscale)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        return out + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


def build(name):
    if name == "realesr-general-x4v3":
        return SRVGGNetCompact(num_conv=32, upscale=4)
    if name == "realesr-animevideov3-x4":
        return SRVGGNetCompact(num_conv=16, upscale=4)
    from basicsr.archs.rrdbnet_arch import RRDBNet  # pip install basicsr
    scale = 2 if name.endswith("x2plus") else 4
    return RRDBNet(num_in_ch=3, num_out_ch=3, num_feat=64, num_block=23, num_grow_ch=32, scale=scale)


def main(name, weights, output):
    model = build(name)
    state = torch.load(weights, map_location="cpu")
    state = state.get("params_ema", state.get("params", state))
    model.load_state_dict(state, strict=True)
    model.eval()
    dummy = torch.rand(1, 3, 64, 64)
    torch.onnx.export(
        model, dummy, output, opset_version=17, input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "n", 2: "h", 3: "w"}, "output": {0: "n", 2: "h2", 3: "w2"}})
    print(f"exported {name} -> {output}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
