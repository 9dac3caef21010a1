using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using ReportingApi.Security;

namespace ReportingApi.Tests.Security;

/// <summary>
/// The per-token cache of JwtBearer's validation: a valid token's signature is checked once, and nothing else is
/// remembered (invalid tokens, or a token past its expiry).
/// </summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private const string Issuer = "https://issuer.test";

    private readonly RSA _issuerRsa = RSA.Create(2048);
    private readonly RSA _otherRsa = RSA.Create(2048);
    private readonly ValidatedTokenCache _cache = new(TimeProvider.System);

    private RsaSecurityKey IssuerKey => new(_issuerRsa) { KeyId = "issuer" };

    private RsaSecurityKey OtherKey => new(_otherRsa) { KeyId = "issuer" };

    [Fact]
    public async Task A_valid_token_is_checked_once_so_a_second_validation_does_not_check_its_signature_again()
    {
        var token = CreateToken(DateTime.UtcNow.AddMinutes(30));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(IssuerKey))).IsValid);

        // With only a key that did not sign it, the token passes only because its earlier validation is remembered;
        // a token not validated before fails with that key.
        var remembered = await _cache.ValidateTokenAsync(token, Parameters(OtherKey));
        var fresh = await _cache.ValidateTokenAsync(CreateToken(DateTime.UtcNow.AddMinutes(30)), Parameters(OtherKey));

        Assert.True(remembered.IsValid);
        Assert.Equal("demo-acme", remembered.ClaimsIdentity.FindFirst("client_id")?.Value);
        Assert.False(fresh.IsValid);
    }

    [Fact]
    public async Task An_invalid_token_is_not_remembered()
    {
        var token = CreateToken(DateTime.UtcNow.AddMinutes(30));

        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(OtherKey))).IsValid);
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(IssuerKey))).IsValid);
        Assert.False((await _cache.ValidateTokenAsync(CreateToken(DateTime.UtcNow.AddMinutes(30)) + "x", Parameters(IssuerKey))).IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_has_expired()
    {
        var expires = DateTime.UtcNow.AddSeconds(4);
        var token = CreateToken(expires);
        var first = await _cache.ValidateTokenAsync(token, Parameters(IssuerKey));
        Assert.True(first.IsValid, first.Exception?.Message);

        await Task.Delay(expires - DateTime.UtcNow + TimeSpan.FromMilliseconds(1100));
        var after = await _cache.ValidateTokenAsync(token, Parameters(IssuerKey));

        Assert.False(after.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(after.Exception);
    }

    public void Dispose()
    {
        _cache.Dispose();
        _issuerRsa.Dispose();
        _otherRsa.Dispose();
    }

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = Issuer,
        ValidateAudience = false,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ClockSkew = TimeSpan.Zero,
    };

    private string CreateToken(DateTime expires) => _cache.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Subject = new ClaimsIdentity([new Claim("client_id", "demo-acme"), new Claim("token_use", "access"), new Claim("jti", Guid.NewGuid().ToString())]),
        NotBefore = DateTime.UtcNow.AddMinutes(-1),
        IssuedAt = DateTime.UtcNow.AddMinutes(-1),
        Expires = expires,
        SigningCredentials = new SigningCredentials(IssuerKey, SecurityAlgorithms.RsaSha256),
    });
}
