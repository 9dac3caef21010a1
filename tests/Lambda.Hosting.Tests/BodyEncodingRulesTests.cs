using Lambda.Hosting.Http;

namespace Lambda.Hosting.Tests;

/// <summary>The small rules of the bridge: which bodies are text, and how stage prefixes and paths are read.</summary>
public sealed class BodyEncodingRulesTests
{
    [Theory]
    [InlineData("text/csv; charset=utf-8", true)]
    [InlineData("text/plain", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/xml", true)]
    [InlineData("application/javascript", true)]
    [InlineData("application/hal+json", true)]
    [InlineData("application/atom+xml", true)]
    [InlineData("text/csv; charset=iso-8859-1", false)]
    [InlineData("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false)]
    [InlineData("application/pgp-encrypted", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("application/zip", false)]
    [InlineData("application/gzip", false)]
    [InlineData("image/png", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_UTF8_textual_media_types_travel_as_text(string? contentType, bool text) =>
        Assert.Equal(text, BodyContentTypes.IsUtf8Text(contentType));

    [Theory]
    [InlineData("/prod/v1/reports", "prod", "/prod", "/v1/reports")]
    [InlineData("/prod", "prod", "/prod", "/")]
    [InlineData("/production/v1", "prod", "", "/production/v1")]
    [InlineData("/prod/v1/reports", "$default", "", "/prod/v1/reports")]
    [InlineData("/v1/reports", null, "", "/v1/reports")]
    public void A_named_stage_is_split_off_only_when_it_is_the_first_segment(string rawPath, string? stage, string pathBase, string path) =>
        Assert.Equal((pathBase, path), HttpApiExchange.SplitStage(rawPath, stage));

    [Theory]
    [InlineData("/files/a%2Fb", "/files/a%2Fb")]
    [InlineData("/files/a%2fb", "/files/a%2Fb")]
    [InlineData("/caf%C3%A9/x%20y", "/café/x y")]
    public void Paths_are_decoded_except_encoded_slashes(string rawPath, string path) =>
        Assert.Equal(path, HttpApiExchange.DecodePath(rawPath));
}
