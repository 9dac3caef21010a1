namespace Lambda.Hosting.SnapStart;

/// <summary>How Lambda initialises this environment (<c>AWS_LAMBDA_INITIALIZATION_TYPE</c>).</summary>
internal sealed record LambdaInitialization(bool IsSnapStart)
{
    public const string InitializationTypeVariable = "AWS_LAMBDA_INITIALIZATION_TYPE";
    public const string SnapStartType = "snap-start";

    public static LambdaInitialization FromEnvironment() =>
        new(Environment.GetEnvironmentVariable(InitializationTypeVariable) == SnapStartType);
}
