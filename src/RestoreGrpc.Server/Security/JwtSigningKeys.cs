using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace RestoreGrpc.Server.Security;

/// <summary>The keys JWT signatures are checked with, from configuration only (no metadata fetched): PEM public keys
/// or certificates, a shared HMAC secret, and/or a JWKS file.</summary>
internal static class JwtSigningKeys
{
    public static List<SecurityKey> Load(AuthOptions options)
    {
        var keys = new List<SecurityKey>();
        if (!string.IsNullOrWhiteSpace(options.JwtSigningKeyPath))
        {
            keys.AddRange(FromPem(File.ReadAllText(options.JwtSigningKeyPath)));
        }

        if (!string.IsNullOrWhiteSpace(options.JwtSymmetricKey))
        {
            keys.Add(new SymmetricSecurityKey(Convert.FromBase64String(options.JwtSymmetricKey)));
        }

        if (!string.IsNullOrWhiteSpace(options.JwtJwksPath))
        {
            keys.AddRange(new JsonWebKeySet(File.ReadAllText(options.JwtJwksPath)).GetSigningKeys());
        }

        if (keys.Count == 0)
        {
            throw new InvalidOperationException(
                $"{AuthOptions.Section}:JwtIssuer is set but no signing key is: set {AuthOptions.Section}:JwtSigningKeyPath, JwtSymmetricKey or JwtJwksPath");
        }

        return keys;
    }

    private static List<SecurityKey> FromPem(string text)
    {
        var keys = new List<SecurityKey>();
        ReadOnlySpan<char> rest = text;
        while (PemEncoding.TryFind(rest, out PemFields fields))
        {
            string block = rest[fields.Location].ToString();
            string label = rest[fields.Label].ToString();
            rest = rest[fields.Location.End..];
            keys.Add(label switch
            {
                "CERTIFICATE" => new X509SecurityKey(X509Certificate2.CreateFromPem(block)),
                "PUBLIC KEY" or "RSA PUBLIC KEY" when TryRsa(block) is { } rsa => new RsaSecurityKey(rsa),
                "PUBLIC KEY" => new ECDsaSecurityKey(Ec(block)),
                _ => throw new InvalidOperationException($"{AuthOptions.Section}:JwtSigningKeyPath holds a '{label}' block; only public keys and certificates belong there"),
            });
        }

        return keys.Count > 0 ? keys : throw new InvalidOperationException($"{AuthOptions.Section}:JwtSigningKeyPath holds no PEM public key");
    }

    private static RSA? TryRsa(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            return null;
        }
    }

    private static ECDsa Ec(string pem)
    {
        var ec = ECDsa.Create();
        ec.ImportFromPem(pem);
        return ec;
    }
}
