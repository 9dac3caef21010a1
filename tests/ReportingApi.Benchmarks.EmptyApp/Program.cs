// What the framework alone costs from process start to the first answer: the start-up benchmark measures this app
// the same way as the service and prints both side by side.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => "empty");
await app.RunAsync();
