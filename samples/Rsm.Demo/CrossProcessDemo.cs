using System.Text;

namespace Rsm.Demo;

/// <summary>
/// The demo across a process boundary, for controllers whose provider reaches other processes (SharedMemory on one
/// host, Tcp as two nodes). This process is the exporter; after publishing it starts itself again as the importer and
/// asks for each importer step in turn, waiting for its answer, so the steps happen and print in the same order as in
/// one process. <see cref="NodePlacement"/> says which node the importer is and how its process is configured.
/// </summary>
internal static class CrossProcessDemo
{
    public const string ExporterRole = "exporter";

    /// <summary>Runs steps 2 to 17 with <paramref name="controller"/> (step 1 opened it).</summary>
    public static void Run(IRsmController controller, NodePlacement placement, IReadOnlyList<string> demoArguments, DemoSteps steps, TextWriter output)
    {
        foreach (string note in placement.Notes)
        {
            steps.Note(note);
        }

        nuint pageSize = controller.GetAttributes().PageSize;
        using RsmPageMemory first = steps.Run(DemoText.Allocate, () =>
        {
            RsmPageMemory m = RsmPageMemory.Allocate(pageSize);
            return (m, $"{m.Length} bytes at 0x{m.Address:x}");
        });
        using RsmPageMemory second = RsmPageMemory.Allocate(pageSize);
        Encoding.UTF8.GetBytes(DemoText.Rebound, second.GetSpan());

        using IExportSegment export = steps.Run(DemoText.CreateExport, () =>
        {
            IExportSegment e = controller.CreateExportSegment(first.Address, first.Length, ExportFlags.AllowRebind);
            return (e, $"{e.Length} bytes, flags {e.Flags}");
        });

        uint exporterNode = controller.LocalNodeId;
        uint importerNode = placement.ImporterNode ?? exporterNode;
        RsmAccessEntry[] access = exporterNode == importerNode
            ? [RsmAccessEntry.FromOctal(exporterNode, "0666")]
            : [RsmAccessEntry.FromOctal(exporterNode, "0666"), RsmAccessEntry.FromOctal(importerNode, "0666")];
        uint segmentId = steps.Run(DemoText.PublishFor(exporterNode, importerNode), () =>
        {
            uint id = export.Publish(0, access);
            return (id, $"segment id {ImporterProtocol.FormatSegmentId(id)}");
        });

        using ImporterProcess importer = ImporterProcess.Start([.. demoArguments, .. placement.ImporterArguments], exporterNode, segmentId, steps, output);
        importer.AwaitReady();

        importer.Perform(ImporterProtocol.Connect, steps.Skip());
        importer.Perform(ImporterProtocol.InitBarrier, steps.Skip());

        importer.Perform(ImporterProtocol.PutGet, steps.Skip());
        steps.Also(() =>
        {
            string local = DemoText.ReadText(first.GetSpan(), DemoText.Message.Length);
            DemoSteps.Check(local == DemoText.Message, $"the exporter's memory holds \"{local}\"");
            return $"the exporter's own memory holds \"{local}\"";
        });

        importer.Perform(ImporterProtocol.Map, steps.Skip());

        steps.Run(DemoText.Rebind, () =>
        {
            export.Rebind(second.Address, second.Length);
            string local = DemoText.ReadText(second.GetSpan(), DemoText.Rebound.Length);
            DemoSteps.Check(local == DemoText.Rebound, $"the second buffer holds \"{local}\"");
            return $"the export now covers {second.Length} bytes at 0x{second.Address:x}, which hold \"{local}\"";
        });
        importer.Perform(ImporterProtocol.CheckRebound, steps.Current);

        importer.Perform(ImporterProtocol.Post, steps.Skip());
        steps.Also(() =>
        {
            export.SignalWait(1000);
            return "the exporter consumed one event";
        });

        steps.Run(DemoText.Unpublish, () =>
        {
            export.Unpublish();
            return $"published: {export.IsPublished}";
        });

        importer.Perform(ImporterProtocol.GetAborted, steps.Skip());

        importer.Perform(ImporterProtocol.Release, steps.Skip());

        uint republished = steps.Run(DemoText.Republish, () =>
        {
            uint again = export.Publish(0, access);
            return (again, $"published again with the automatic id {ImporterProtocol.FormatSegmentId(again)}");
        });
        importer.Perform(ImporterProtocol.Reconnect, steps.Current, ImporterProtocol.FormatSegmentId(republished));

        steps.Run(DemoText.Destroy, () =>
        {
            export.Destroy();
            return "the exporter destroyed the export without unpublishing it first";
        });
        importer.Perform(ImporterProtocol.GetDestroyed, steps.Skip());
        importer.Perform(ImporterProtocol.Disconnect, steps.Skip());

        importer.Exit();
    }
}
