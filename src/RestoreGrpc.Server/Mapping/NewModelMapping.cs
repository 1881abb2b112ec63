using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using CoreColorOrder = RestoreGrpc.Core.Models.ColorOrder;
using CoreInputRange = RestoreGrpc.Core.Models.InputRange;
using ProtoColorOrder = RestoreGrpc.Contracts.V1.ColorOrder;
using ProtoInputRange = RestoreGrpc.Contracts.V1.InputRange;

namespace RestoreGrpc.Server.Mapping;

/// <summary>
/// A <see cref="NewModel"/> as a catalog descriptor. An unset input contract takes the task's usual one: Real-ESRGAN
/// (RGB in [0,1]) for super-resolution, GPEN-BFR-512 (RGB in [-1,1], 512×512 crops) for face restoration, and the
/// architecture's for detectors (YuNet: BGR 0..255, sides multiples of 32; RetinaFace: BGR 0..255 minus 104,117,123).
/// The catalog checks the rest (file inside the model folder, checksum, ranges).
/// </summary>
internal static class NewModelMapping
{
    public static ModelDescriptor ToDescriptor(NewModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelTaskKind task = model.Task switch
        {
            ModelTask.SuperResolution => ModelTaskKind.SuperResolution,
            ModelTask.FaceRestoration => ModelTaskKind.FaceRestoration,
            ModelTask.FaceDetection => ModelTaskKind.FaceDetection,
            _ => throw new InvalidRequestException(RequestField.NewModelTask, "is required: SUPER_RESOLUTION, FACE_RESTORATION or FACE_DETECTION"),
        };
        if (task == ModelTaskKind.SuperResolution && model.Scale == 0)
        {
            throw new InvalidRequestException(RequestField.NewModelScale, "is required for a super-resolution model: its native factor, 1..16");
        }

        bool yunet = string.Equals(model.Architecture, "YuNet", StringComparison.OrdinalIgnoreCase);
        var descriptor = new ModelDescriptor
        {
            Name = model.Name,
            File = model.File,
            Sha256 = model.Sha256,
            Task = task,
            Architecture = string.IsNullOrWhiteSpace(model.Architecture) ? null : model.Architecture,
            Scale = model.Scale == 0 ? 1 : model.Scale,
            Description = model.Description,
            TileSize = model.HasTileSize ? model.TileSize : 0,
            TileMargin = model.HasTileMargin ? model.TileMargin : new ModelDescriptor().TileMargin,
            InputRange = task switch
            {
                ModelTaskKind.FaceRestoration => CoreInputRange.MinusOneToOne,
                ModelTaskKind.FaceDetection => CoreInputRange.ZeroTo255,
                _ => CoreInputRange.ZeroToOne,
            },
            ColorOrder = task == ModelTaskKind.FaceDetection ? CoreColorOrder.Bgr : CoreColorOrder.Rgb,
            FixedSize = task == ModelTaskKind.FaceRestoration ? 512 : 0,
            SizeMultiple = task == ModelTaskKind.FaceDetection && yunet ? 32 : 0,
            Mean = task == ModelTaskKind.FaceDetection && !yunet ? [104, 117, 123] : null,
        };
        if (model.Input is { } input)
        {
            descriptor.InputRange = input.Range switch
            {
                ProtoInputRange.ZeroToOne => CoreInputRange.ZeroToOne,
                ProtoInputRange.MinusOneToOne => CoreInputRange.MinusOneToOne,
                ProtoInputRange.ZeroTo255 => CoreInputRange.ZeroTo255,
                _ => descriptor.InputRange,
            };
            descriptor.ColorOrder = input.ColorOrder switch
            {
                ProtoColorOrder.Rgb => CoreColorOrder.Rgb,
                ProtoColorOrder.Bgr => CoreColorOrder.Bgr,
                _ => descriptor.ColorOrder,
            };
            descriptor.Mean = input.Mean.Count > 0 ? [.. input.Mean] : descriptor.Mean;
            descriptor.FixedSize = input.HasFixedSize ? input.FixedSize : descriptor.FixedSize;
            descriptor.SizeMultiple = input.SizeMultiple > 0 ? input.SizeMultiple : descriptor.SizeMultiple;
        }

        return descriptor;
    }
}
