using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using ReportingApi.TestSupport.Aws;

namespace ReportingApi.Tests.Delivery;

/// <summary>
/// The client signs with AWSSDK.Core's public <see cref="SigV4SigningHandler"/>. These tests pin that handler to AWS's
/// published signatures, and the test verifier (which checks the fake service's requests) to AWS's test suite.
/// </summary>
public sealed class SigV4SigningTests
{
    private const string SuiteAccessKey = "AKIDEXAMPLE";
    private const string SuiteSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Fact]
    public async Task Signing_handler_reproduces_AWS_documented_signature_of_the_S3_GetObject_example()
    {
        // "Example: GET Object" of the S3 SigV4 header-signing documentation: the handler signs every header it sends,
        // including x-amz-content-sha256, exactly as that example does.
        var parameters = new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            Region = RegionEndpoint.USEast1,
            Service = "s3",
            SignedAt = new DateTime(2013, 5, 24, 0, 0, 0, DateTimeKind.Utc),
        };
        var captured = new CapturingHandler();
        using var client = new HttpClient(new SigV4SigningHandler(parameters, captured));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/test.txt");
        request.Headers.Range = new RangeHeaderValue(0, 9);

        await client.SendAsync(request);

        var sent = Assert.Single(captured.Requests);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            sent.Headers["Authorization"]);
        Assert.Equal("20130524T000000Z", sent.Headers["X-Amz-Date"]);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sent.Headers["X-Amz-Content-SHA256"]);
    }

    [Theory]
    [InlineData("GET", "", "", "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("POST", "", "", "SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    [InlineData("POST", "application/x-www-form-urlencoded", "Param1=value1",
        "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")]
    public void Test_verifier_accepts_the_AWS_SigV4_test_suite_vectors(string method, string contentType, string body, string signedPart)
    {
        var headers = SuiteHeaders(contentType, signedPart);

        Assert.Null(SigV4Verifier.Verify(method, "/", "", headers, Encoding.UTF8.GetBytes(body), SuiteSecretKey));
    }

    [Fact]
    public void Test_verifier_rejects_a_changed_body_a_wrong_secret_and_a_changed_signature()
    {
        const string signedPart = "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a";
        var headers = SuiteHeaders("application/x-www-form-urlencoded", signedPart);

        Assert.NotNull(SigV4Verifier.Verify("POST", "/", "", headers, "Param1=value2"u8.ToArray(), SuiteSecretKey));
        Assert.NotNull(SigV4Verifier.Verify("POST", "/", "", headers, "Param1=value1"u8.ToArray(), SuiteSecretKey + "x"));
        var tampered = SuiteHeaders("application/x-www-form-urlencoded", signedPart.Replace("ff1189", "ff1188", StringComparison.Ordinal));
        Assert.NotNull(SigV4Verifier.Verify("POST", "/", "", tampered, "Param1=value1"u8.ToArray(), SuiteSecretKey));
    }

    [Fact]
    public async Task Signing_handler_output_verifies_for_a_JSON_request_with_a_session_token()
    {
        // What the client sends on Lambda: temporary credentials, so x-amz-security-token must be sent and signed.
        var captured = new CapturingHandler();
        using var client = new HttpClient(new SigV4SigningHandler(
            new SessionAWSCredentials(SuiteAccessKey, SuiteSecretKey, "session-token-1"), RegionEndpoint.EUCentral1, "transfer", captured));
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://transfer.eu-central-1.amazonaws.com/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TransferService.TestConnection");
        var body = """{"ConnectorId":"c-0123456789abcdef0"}"""u8.ToArray();
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");

        await client.SendAsync(request);

        var sent = Assert.Single(captured.Requests);
        Assert.Equal("session-token-1", sent.Headers["x-amz-security-token"]);
        var authorization = SigV4Verifier.Parse(sent.Headers["Authorization"]);
        Assert.NotNull(authorization);
        Assert.Contains("x-amz-security-token", authorization.SignedHeaders);
        Assert.Contains("x-amz-target", authorization.SignedHeaders);
        Assert.Null(SigV4Verifier.Verify("POST", "/", "", sent.Headers, body, SuiteSecretKey));
    }

    private static Dictionary<string, string> SuiteHeaders(string contentType, string signedPart)
    {
        var headers = new Dictionary<string, string>
        {
            ["Host"] = "example.amazonaws.com",
            ["X-Amz-Date"] = "20150830T123600Z",
            ["Authorization"] = $"AWS4-HMAC-SHA256 Credential={SuiteAccessKey}/20150830/us-east-1/service/aws4_request, {signedPart}",
        };
        if (contentType.Length > 0)
        {
            headers["Content-Type"] = contentType;
        }

        return headers;
    }

    private sealed record SentRequest(Dictionary<string, string> Headers);

    private sealed class CapturingHandler : HttpMessageHandler
    {
        /// <summary>The headers of each request as they would go on the wire (with Host).</summary>
        public List<SentRequest> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Host"] = request.RequestUri!.Authority };
            foreach (var header in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            Requests.Add(new SentRequest(headers));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
