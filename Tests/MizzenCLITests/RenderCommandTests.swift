import OrderedCollections
import Foundation
import Resources
import Testing

@Suite("mizzen render")
struct RenderCommandTests {
    @Test("the containerized-workload example renders with provenance comments")
    func containerizedWorkload() async throws {
        let result = try await CLI.run(["render", "-f", CLI.example("containerized-workload")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("# AppConfig/example-appconfig · Component/example-component\n"))
        let documents = try DocumentDecoder.decode(result.stdout, file: nil).map(\.value)
        #expect(documents.map { $0["kind"]?.stringValue } == ["ContainerizedWorkload", "ManualScalerTrait", "HealthScope"])
        #expect(documents[0]["metadata"]?["name"] == "example-appconfig-workload")
        #expect(result.stdout.contains("# AppConfig/example-appconfig · Component/example-component · Trait/ManualScalerTrait\n"))
    }

    @Test("--translate adds the Deployment, Service and ConfigMap of each ContainerizedWorkload")
    func translate() async throws {
        let result = try await CLI.run(["render", "-f", CLI.example("containerized-workload"), "--translate", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try JSONValue(parsingJSON: result.stdout)
        let kinds = list["items"]?.arrayValue?.compactMap { $0["kind"]?.stringValue }
        #expect(kinds == ["ContainerizedWorkload", "Deployment", "Service", "ConfigMap", "ManualScalerTrait", "HealthScope"])
    }

    @Test("objects waiting on live data are listed on stderr, not printed, unless asked")
    func pending() async throws {
        let result = try await CLI.run(["render", "-f", CLI.example("data-passing")])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try DocumentDecoder.decode(result.stdout, file: nil).compactMap { $0.value["metadata"]?["name"]?.stringValue }
        #expect(names == ["database"])
        #expect(result.stderr.contains("1 object waits on data that only a live cluster has"))
        #expect(result.stderr.contains("Deployment/default/web"))
        #expect(result.stderr.contains(
            "waits on dataOutput \"db-connection-secret\" (Deployment/database metadata.annotations[db.example.com/connection-secret]): Deployment/database does not exist yet"))

        let all = try await CLI.run(["render", "-f", CLI.example("data-passing"), "--include-pending"])
        #expect(all.status == 0)
        #expect(all.stdout.contains("· PENDING"))
        #expect(try DocumentDecoder.decode(all.stdout, file: nil).count == 2)
    }

    @Test("the versioning example renders one workload per revision")
    func versioning() async throws {
        let result = try await CLI.run(["render", "-f", CLI.example("component-versioning"), "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let items = try #require(try JSONValue(parsingJSON: result.stdout)["items"]?.arrayValue)
        let workloads = items.filter { $0["kind"] == "ContainerizedWorkload" }
        #expect(workloads.map { $0["metadata"]?["name"]?.stringValue } == ["frontend-v2", "frontend-v1"])
        #expect(workloads.map { $0["spec"]?["containers"]?[0]?["image"]?.stringValue }
            == ["ghcr.io/example/frontend:2.0", "ghcr.io/example/frontend:1.0"])
        let traits = items.filter { $0["kind"] == "CanaryTrait" }
        #expect(traits.map { $0["spec"]?["targetRef"]?["name"]?.stringValue } == ["frontend-v2", "frontend-v1"])
    }

    @Test("an AppConfig naming a missing component exits 1 with the position")
    func invalid() async throws {
        let file = try CLI.temporaryFile("""
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: nowhere
            """)
        let result = try await CLI.run(["render", "-f", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file):6:22: error: ApplicationConfiguration/default/shop: spec.components[0].componentName: component \"nowhere\" not found"))
    }

    @Test("without any -f the command explains what to give")
    func noInput() async throws {
        let result = try await CLI.run(["render"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no input: give at least one -f PATH"))
    }

    @Test("bench render runs a short measurement and prints renders per second")
    func bench() async throws {
        let result = try await CLI.run(["bench", "render", "--iterations", "50"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("renders/s (one core)"))
    }
}
