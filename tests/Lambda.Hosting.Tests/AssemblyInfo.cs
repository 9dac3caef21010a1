// The bridge sets _X_AMZN_TRACE_ID, a process-wide variable, per invocation: apps in parallel would see each other's.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
