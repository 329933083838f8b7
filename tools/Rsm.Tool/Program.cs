using System.Runtime.InteropServices;
using Rsm.Tool;

// Ctrl+C and SIGTERM end a live view (rsm stat) as a normal stop: the command's token is cancelled.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

return await RsmTool.RunAsync(args, Console.Out, Console.Error, stop.Token).ConfigureAwait(false);
