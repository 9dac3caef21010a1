using System.ComponentModel.DataAnnotations;

namespace Lambda.Hosting;

/// <summary>Settings of the Lambda bridge, bound from the <c>LambdaHosting</c> configuration section.</summary>
public sealed class LambdaHostingOptions
{
    public const string Section = "LambdaHosting";

    /// <summary>Lambda's limit for a synchronous response payload: 6 MB, base64 and JSON included.</summary>
    public const int LambdaResponseLimitBytes = 6 * 1024 * 1024;

    /// <summary>Largest payload 2.0 response sent back; bigger responses become a 413 problem.</summary>
    [Range(1024, LambdaResponseLimitBytes)]
    public int ResponseLimitBytes { get; set; } = LambdaResponseLimitBytes;

    /// <summary>The problem <c>type</c> of the 413 answer.</summary>
    [Required]
    public string ResponseTooLargeType { get; set; } = "urn:lambda-hosting:problems/response-too-large";

    /// <summary>The problem <c>detail</c> of the 413 answer: the app says here what to do instead.</summary>
    [Required]
    public string ResponseTooLargeDetail { get; set; } =
        "The response is larger than the 6 MB AWS Lambda can return through API Gateway.";
}
