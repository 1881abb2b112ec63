using System.Text;

namespace RestoreGrpc.Cli.Output;

/// <summary>Enum values as people read them: <c>SuperResolution</c> → <c>super-resolution</c>.</summary>
internal static class EnumText
{
    public static string Kebab<T>(T value)
        where T : struct, Enum
    {
        string name = value.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
