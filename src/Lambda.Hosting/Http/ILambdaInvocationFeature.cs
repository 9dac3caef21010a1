using Lambda.Hosting.RuntimeApi;

namespace Lambda.Hosting.Http;

/// <summary>
/// The Lambda invocation behind the current request (request id, deadline, function ARN, trace id);
/// <c>HttpContext.Features.Get&lt;ILambdaInvocationFeature&gt;()</c> is null when the app runs on Kestrel.
/// </summary>
public interface ILambdaInvocationFeature
{
    LambdaInvocation Invocation { get; }
}

internal sealed record LambdaInvocationFeature(LambdaInvocation Invocation) : ILambdaInvocationFeature;
