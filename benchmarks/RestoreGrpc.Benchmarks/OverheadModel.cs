using Google.Protobuf;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// A ×4 "model" that costs next to nothing to run: one ONNX <c>Resize</c> (nearest) with the Real-ESRGAN contract
/// (<c>input</c> [N,3,H,W] → <c>output</c> [N,3,4H,4W]). Served through the real pipeline it stands in for an
/// infinitely fast accelerator, so a sweep with it measures what the server itself costs per image (decode, tiling,
/// normalisation, scheduling, assembly, encode, gRPC) — the ceiling a GPU run cannot pass.
/// Written by hand in ONNX's protobuf wire format (onnx.proto field numbers), as no ONNX writer is on NuGet.
/// </summary>
internal static class OverheadModel
{
    /// <summary>Model name the sweep recognises (<c>--model nearest-x4</c>).</summary>
    public const string Name = "nearest-x4";

    private static readonly float[] Scales = [1f, 1f, 4f, 4f];
    private static readonly string[] NodeInputs = ["input", string.Empty, "scales"];

    /// <summary>Writes the model into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, Name + ".onnx");
        File.WriteAllBytes(path, Build());
        return path;
    }

    /// <summary>Server arguments adding the model as a catalog entry at <paramref name="path"/>.</summary>
    public static string[] ServerArguments(string path) =>
    [
        $"--Restore:Models:Entries:90:Name={Name}",
        $"--Restore:Models:Entries:90:File={path}",
        "--Restore:Models:Entries:90:Scale=4",
        "--Restore:Models:Entries:90:TileMargin=0",
    ];

    private static byte[] Build()
    {
        byte[] scales = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.Varint); // dims
            w.WriteInt64(4);
            w.WriteTag(2, WireFormat.WireType.Varint); // data_type FLOAT
            w.WriteInt32(1);
            w.WriteTag(4, WireFormat.WireType.LengthDelimited); // float_data, packed
            w.WriteLength(16);
            foreach (float s in Scales)
            {
                w.WriteFloat(s);
            }

            w.WriteTag(8, WireFormat.WireType.LengthDelimited); // name
            w.WriteString("scales");
        });

        byte[] mode = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); // name
            w.WriteString("mode");
            w.WriteTag(4, WireFormat.WireType.LengthDelimited); // s
            w.WriteBytes(ByteString.CopyFromUtf8("nearest"));
            w.WriteTag(20, WireFormat.WireType.Varint); // type STRING
            w.WriteInt32(3);
        });

        byte[] node = Message(w =>
        {
            foreach (string input in NodeInputs)
            {
                w.WriteTag(1, WireFormat.WireType.LengthDelimited);
                w.WriteString(input);
            }

            w.WriteTag(2, WireFormat.WireType.LengthDelimited);
            w.WriteString("output");
            w.WriteTag(4, WireFormat.WireType.LengthDelimited); // op_type
            w.WriteString("Resize");
            w.WriteTag(5, WireFormat.WireType.LengthDelimited); // attribute
            w.WriteBytes(ByteString.CopyFrom(mode));
        });

        byte[] graph = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); // node
            w.WriteBytes(ByteString.CopyFrom(node));
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); // name
            w.WriteString(Name);
            w.WriteTag(5, WireFormat.WireType.LengthDelimited); // initializer
            w.WriteBytes(ByteString.CopyFrom(scales));
            w.WriteTag(11, WireFormat.WireType.LengthDelimited); // input
            w.WriteBytes(ByteString.CopyFrom(Value("input", "H", "W")));
            w.WriteTag(12, WireFormat.WireType.LengthDelimited); // output
            w.WriteBytes(ByteString.CopyFrom(Value("output", "H4", "W4")));
        });

        return Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.Varint); // ir_version
            w.WriteInt64(8);
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); // producer_name
            w.WriteString("RestoreGrpc.Benchmarks");
            w.WriteTag(7, WireFormat.WireType.LengthDelimited); // graph
            w.WriteBytes(ByteString.CopyFrom(graph));
            w.WriteTag(8, WireFormat.WireType.LengthDelimited); // opset_import { domain "", version 13 }
            w.WriteBytes(ByteString.CopyFrom(Message(o =>
            {
                o.WriteTag(2, WireFormat.WireType.Varint);
                o.WriteInt64(13);
            })));
        });
    }

    /// <summary>ValueInfoProto of a float tensor [N,3,height,width] with symbolic N, height and width.</summary>
    private static byte[] Value(string name, string height, string width)
    {
        byte[] shape = Message(w =>
        {
            foreach (string dim in new[] { "N", "3", height, width })
            {
                w.WriteTag(1, WireFormat.WireType.LengthDelimited);
                w.WriteBytes(ByteString.CopyFrom(Message(d =>
                {
                    if (dim == "3")
                    {
                        d.WriteTag(1, WireFormat.WireType.Varint); // dim_value
                        d.WriteInt64(3);
                    }
                    else
                    {
                        d.WriteTag(2, WireFormat.WireType.LengthDelimited); // dim_param
                        d.WriteString(dim);
                    }
                })));
            }
        });
        byte[] tensor = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.Varint); // elem_type FLOAT
            w.WriteInt32(1);
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); // shape
            w.WriteBytes(ByteString.CopyFrom(shape));
        });
        return Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); // name
            w.WriteString(name);
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); // type { tensor_type }
            w.WriteBytes(ByteString.CopyFrom(Message(t =>
            {
                t.WriteTag(1, WireFormat.WireType.LengthDelimited);
                t.WriteBytes(ByteString.CopyFrom(tensor));
            })));
        });
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }
}
