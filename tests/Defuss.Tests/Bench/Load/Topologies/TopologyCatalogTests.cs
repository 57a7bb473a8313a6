using Defuss.Bench.Load.Topologies;

namespace Defuss.Tests.Bench.Load.Topologies;

public sealed class TopologyCatalogTests
{
    private static readonly Tools Everything = new("/usr/bin/wrk", "/usr/sbin/nginx", "/usr/lib/nginx/modules/ngx_stream_module.so", "/usr/sbin/haproxy", "/usr/bin/node", 20, "/usr/bin/npm");

    [Fact]
    public void SkipReason_EveryToolThere_SkipsNothing()
    {
        TopologyCatalog.All.Select(t => TopologyCatalog.SkipReason(t, Everything)).Should().OnlyContain(reason => reason == null);
    }

    [Fact]
    public void SkipReason_MissingTool_SaysHowToInstallIt()
    {
        TopologyCatalog.SkipReason("nginx", Everything with { Nginx = null }).Should().Be("not installed (apt-get install -y nginx libnginx-mod-stream)");
        TopologyCatalog.SkipReason("nginx", Everything with { NginxStream = null }).Should().Contain("apt-get install -y libnginx-mod-stream");
        TopologyCatalog.SkipReason("haproxy", Everything with { Haproxy = null }).Should().Be("not installed (apt-get install -y haproxy)");
        TopologyCatalog.SkipReason("node", Everything with { Node = null }).Should().Be("not installed (apt-get install -y nodejs npm)");
        TopologyCatalog.SkipReason("node", Everything with { NodeMajorVersion = 16 }).Should().Contain("Node 16 is too old");
        TopologyCatalog.SkipReason("plain", Everything with { Wrk = null, Nginx = null, Haproxy = null, Node = null }).Should().BeNull();
    }

    [Fact]
    public void Create_MakesEachNamedTopology()
    {
        TopologyCatalog.All.Select(t => TopologyCatalog.Create(t).Name).Should().Equal(TopologyCatalog.All);
        TopologyCatalog.All.Should().OnlyContain(t => TopologyCatalog.Describe(t, 4).Length > 0);
        TopologyCatalog.Describe("handoff", 4).Should().Contain("4 workers");
    }

    [Theory]
    [InlineData("v20.20.2\n", 20)]
    [InlineData("v18.0.0", 18)]
    [InlineData("v22", 22)]
    [InlineData("garbage", 0)]
    public void ParseNodeMajor_ReadsNodeVersion(string version, int major)
    {
        Tools.ParseNodeMajor(version).Should().Be(major);
    }

    [Fact]
    public void HasBuiltInStream_TellsCompiledInFromDynamic()
    {
        Tools.HasBuiltInStream("configure arguments: --with-http_ssl_module --with-stream --with-threads").Should().BeTrue();
        Tools.HasBuiltInStream("configure arguments: --with-stream=dynamic --with-threads").Should().BeFalse();
        Tools.HasBuiltInStream("configure arguments: --with-threads").Should().BeFalse();
    }
}
