using Defuss.Bench.Load.Topologies;

namespace Defuss.Tests.Bench.Load.Topologies;

public sealed class ProxyConfigurationTests
{
    [Fact]
    public void Nginx_StreamProxyWithOneWorkerOverEveryBackend()
    {
        var configuration = NginxTopology.Configuration("/tmp/x", 4000, [4001, 4002], "/usr/lib/nginx/modules/ngx_stream_module.so");

        configuration.Should().StartWith("load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n");
        configuration.Should().Contain("daemon off;\n").And.Contain("worker_processes 1;\n").And.Contain("pid /tmp/x/nginx.pid;\n");
        configuration.Should().Contain("    server 127.0.0.1:4001;\n    server 127.0.0.1:4002;\n");
        configuration.Should().Contain("server { listen 127.0.0.1:4000; proxy_pass showcase; }");
        configuration.Should().NotContain("http {", "the stream module proxies TCP; nginx parses no HTTP");
    }

    [Fact]
    public void Nginx_BuiltInStream_LoadsNoModule()
    {
        NginxTopology.Configuration("/tmp/x", 4000, [4001], "").Should().NotContain("load_module");
    }

    [Fact]
    public void Haproxy_TcpModeOneThreadOverEveryBackend()
    {
        var configuration = HaproxyTopology.Configuration(4000, [4001, 4002]);

        configuration.Should().Contain("  nbthread 1\n").And.Contain("  mode tcp\n").And.Contain("  bind 127.0.0.1:4000\n");
        configuration.Should().Contain("  balance roundrobin\n  server s0 127.0.0.1:4001\n  server s1 127.0.0.1:4002\n");
    }
}
