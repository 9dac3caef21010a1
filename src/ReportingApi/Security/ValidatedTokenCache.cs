using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReportingApi.Security;

/// <summary>
/// JwtBearer's token handler with the outcome of a valid token remembered until the token expires: a partner's
/// system sends the same access token with every call for its lifetime (Cognito: an hour by default), and checking its
/// RS256 signature and parsing it again costs about 40 microseconds of CPU per call, against under 1 remembered
/// (<c>--request-cost</c>, README, Benchmark): half of what a catalog call costs. Only valid tokens are kept, never past their <c>exp</c> nor past
/// <see cref="AccessTokenValidation.MetadataRefreshInterval"/> (so a key the issuer withdraws stops being trusted as
/// soon as without the cache), at most <see cref="MaxTokens"/> of them; a token not in the cache is validated in full.
/// </summary>
internal sealed class ValidatedTokenCache(TimeProvider timeProvider) : JsonWebTokenHandler, IDisposable
{
    /// <summary>Bounds the memory (a token and its claims, about 2 KB each) whatever the callers send.</summary>
    public const int MaxTokens = 10_000;

    private readonly MemoryCache _validated = new(new MemoryCacheOptions { SizeLimit = MaxTokens });

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_validated.TryGetValue(token, out TokenValidationResult? remembered) && remembered is not null)
        {
            return remembered;
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        var now = timeProvider.GetUtcNow();
        if (result.IsValid && result.SecurityToken is { } validated && validated.ValidTo > now.UtcDateTime)
        {
            var until = new DateTimeOffset(validated.ValidTo, TimeSpan.Zero);
            var latest = now + AccessTokenValidation.MetadataRefreshInterval;
            _validated.Set(token, result, new MemoryCacheEntryOptions { AbsoluteExpiration = until < latest ? until : latest, Size = 1 });
        }

        return result;
    }

    public void Dispose() => _validated.Dispose();
}
