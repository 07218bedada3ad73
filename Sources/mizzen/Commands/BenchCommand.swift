import OrderedCollections
import ArgumentParser
import OAM
import Resources
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure rendering and decoding speed on this machine.",
        discussion: """
            Prints figures; it asserts nothing. Build with -c release for meaningful numbers:
              swift build -c release && .build/release/mizzen bench render
              .build/release/mizzen bench decode
            """,
        subcommands: [RenderBench.self, DecodeBench.self, StoreBench.self, APIBench.self, ReconcileBench.self, CLIBench.self, OverloadBench.self])

    /// Makes standard output line-buffered, so that a benchmark of minutes whose output goes to
    /// a file or a pipe shows each line as it is printed (stdio buffers 4 KiB there otherwise: a
    /// run holding its plane with `--hold` looked stuck before its first line).
    static func printLineByLine() {
        // `stdout` is a C global that Swift 6 will not read outside an isolation domain; this
        // runs once at the start of the command, before any task prints, so the read is safe.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "stdout"),
            let output = symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
        else { return }
        setvbuf(output, nil, _IOLBF, 0)
    }
}

struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Renders per second of an AppConfig with 2 components and 5 traits (one core).",
        discussion: """
            Renders one ApplicationConfiguration (2 components, 5 traits, a health scope and a data \
            edge whose producer exists) over and over on one thread and prints the rate.

            Example:
              .build/release/mizzen bench render --iterations 100000
            """)

    @Option(help: "How many renders to time.")
    var iterations = 200_000

    func run() throws {
        let fixture = try BenchFixtures.renderFixture()
        let renderer = Renderer(catalog: fixture.catalog)
        // Warm up, and check the fixture renders what it should.
        let check = renderer.render(fixture.appConfig)
        guard check.errors.isEmpty, check.components.count == 2,
            check.components.map(\.traits.count).reduce(0, +) == 5, check.dataEdges.allSatisfy(\.isSatisfied)
        else {
            throw ValidationError("the benchmark fixture did not render as expected: \(check.errors)")
        }
        let clock = ContinuousClock()
        var objects = 0
        let cpuStart = CPUTime.now()
        let elapsed = clock.measure {
            for _ in 0..<iterations {
                objects &+= renderer.render(fixture.appConfig).components.count
            }
        }
        let cpu = CPUTime.now() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("render: \(iterations) renders of 2 components + 5 traits + 1 data edge in \(format(seconds)) s")
        print("render: \(Int(Double(iterations) / seconds)) renders/s (one core), \(format(seconds / Double(iterations) * 1e6)) µs per render")
        // On a busy machine the wall clock counts time spent waiting for a core; CPU time does not.
        print("render: \(Int(Double(iterations) / cpu)) renders per CPU-second, \(format(cpu / Double(iterations) * 1e6)) µs of CPU per render")
        precondition(objects == iterations * 2)
    }
}

struct DecodeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Time decoding and validating a generated YAML stream (default 1 MB).",
        discussion: """
            Generates a stream of Components, ApplicationConfigurations and Deployments, then times \
            decoding it (on one core, and on all cores) and validating every object. Both wall-clock \
            and CPU time are printed; on a busy machine compare CPU times.

            Examples:
              .build/release/mizzen bench decode --megabytes 4 --runs 3
              .build/release/mizzen bench decode --cores one
            """)

    @Option(help: "Size of the generated stream in MB.")
    var megabytes = 1.0

    @Option(help: "How many times to repeat the measurement; the best run is reported.")
    var runs = 5

    /// Which ways of decoding to time.
    enum Cores: String, ExpressibleByArgument, CaseIterable {
        case one, all, both
    }

    @Option(help: "Decode on one core, on all cores, or both.")
    var cores = Cores.both

    func run() throws {
        let text = BenchFixtures.yamlStream(bytes: Int(megabytes * 1_000_000))
        let size = Double(text.utf8.count) / 1_000_000
        var objects = 0
        var diagnostics = 0
        let modes = [("one core", false), ("all cores", true)].filter { mode in
            cores == .both || (cores == .one) != mode.1
        }
        for (label, parallel) in modes {
            let clock = ContinuousClock()
            var best = Duration.seconds(1_000)
            var bestDecode = Duration.seconds(1_000)
            var bestCPU = Double.infinity
            var bestDecodeCPU = Double.infinity
            for _ in 0..<max(1, runs) {
                let cpuStart = CPUTime.now()
                let start = clock.now
                let documents = try DocumentDecoder.decode(text, file: "bench.yaml", parallel: parallel)
                let decoded = clock.now
                let cpuDecoded = CPUTime.now()
                let set = ManifestSet(documents: documents)
                let found = set.validate()
                let end = clock.now
                let cpuEnd = CPUTime.now()
                objects = set.manifests.count
                diagnostics = found.count
                best = min(best, end - start)
                bestDecode = min(bestDecode, decoded - start)
                bestCPU = min(bestCPU, cpuEnd - cpuStart)
                bestDecodeCPU = min(bestDecodeCPU, cpuDecoded - cpuStart)
            }
            print("decode (\(label)): \(ms(bestDecode)) ms to decode, \(ms(best)) ms to decode + validate, \(format(size / seconds(best))) MB/s (best of \(runs))")
            print("decode (\(label)): CPU time \(format(bestDecodeCPU * 1000)) ms to decode, \(format(bestCPU * 1000)) ms to decode + validate (all threads, best of \(runs))")
        }
        print("decode: \(format(size)) MB of YAML, \(objects) objects, \(diagnostics) diagnostics")
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func ms(_ duration: Duration) -> String {
        format(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }
}

/// The CPU time the process has used, in seconds: on a machine shared with other work this
/// measures the code, where the wall clock also measures the waiting.
enum CPUTime {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

private func format(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return String(rounded)
}

/// Inputs of the benchmarks, built in memory.
enum BenchFixtures {
    struct RenderFixture {
        var catalog: Catalog
        var appConfig: ApplicationConfiguration
    }

    static func renderFixture() throws -> RenderFixture {
        var catalog = Catalog()
        try catalog.add(definition: Resource([
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "TraitDefinition",
            "metadata": ["name": "ingresses.networking.k8s.io"],
            "spec": ["definitionRef": ["name": "ingresses.networking.k8s.io"]],
        ]))
        for name in ["web", "db"] {
            var component = try Component(Resource([
                "apiVersion": "core.oam.dev/v1alpha2", "kind": "Component",
                "metadata": ["name": .string(name), "namespace": "default"],
                "spec": [
                    "workload": [
                        "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
                        "spec": ["containers": [[
                            "name": .string(name), "image": "nginx:1.25",
                            "env": [["name": "MODE", "value": "production"]],
                            "ports": [["name": "http", "containerPort": 8080]],
                        ]]],
                    ],
                    "parameters": [
                        ["name": "image", "fieldPaths": ["spec.containers[0].image"]],
                        ["name": "port", "fieldPaths": ["spec.containers[0].ports[0].containerPort"]],
                    ],
                ],
            ]))
            component.status = Component.Status(latestRevision: .init(component: name, number: 3))
            catalog.add(component: component)
        }
        // The database's live workload, whose output feeds the web component.
        catalog.add(object: try Resource([
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
            "metadata": ["name": "db", "namespace": "default"],
            "status": ["endpoint": "db.default.svc:5432"],
        ]))
        catalog.add(object: try Resource([
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "HealthScope",
            "metadata": ["name": "health", "namespace": "default"], "spec": ["workloadRefs": []],
        ]))
        func scaler(_ replicas: Int64) -> JSONValue {
            ["trait": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "ManualScalerTrait",
                       "spec": ["replicaCount": .int(replicas)]]]
        }
        func ingress(_ host: String) -> JSONValue {
            ["trait": ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                       "spec": ["rules": [["host": .string(host)]]]]]
        }
        let appConfig = try ApplicationConfiguration(Resource([
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ApplicationConfiguration",
            "metadata": ["name": "shop", "namespace": "default", "uid": "7c1e", "generation": 4,
                         "labels": ["team": "payments"]],
            "spec": ["components": [
                [
                    "componentName": "db",
                    "parameterValues": [["name": "image", "value": "postgres:16"], ["name": "port", "value": 5432]],
                    "dataOutputs": [["name": "db-endpoint", "fieldPath": "status.endpoint"]],
                    "traits": [scaler(1), ingress("db.internal")],
                    "scopes": [["scopeRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "HealthScope", "name": "health"]]],
                ],
                [
                    "componentName": "web",
                    "parameterValues": [["name": "image", "value": "shop/web:2.1"]],
                    "dataInputs": [["valueFrom": ["dataOutputName": "db-endpoint"],
                                    "toFieldPaths": ["spec.containers[0].env[0].value"]]],
                    "traits": [scaler(3), ingress("shop.example.com"),
                               ["trait": ["apiVersion": "example.com/v1", "kind": "Monitor", "spec": ["interval": "30s"]]]],
                    "scopes": [["scopeRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "HealthScope", "name": "health"]]],
                ],
            ]],
        ]))
        return RenderFixture(catalog: catalog, appConfig: appConfig)
    }

    /// A multi-document YAML stream of about `bytes` bytes: Components, AppConfigs and Deployments.
    static func yamlStream(bytes: Int) -> String {
        var out = ""
        var index = 0
        while out.utf8.count < bytes {
            out += """
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata:
                  name: web-\(index)
                  namespace: team-\(index % 7)
                  labels:
                    app.kubernetes.io/name: web-\(index)
                    app.kubernetes.io/part-of: shop
                spec:
                  workload:
                    apiVersion: core.oam.dev/v1alpha2
                    kind: ContainerizedWorkload
                    spec:
                      containers:
                        - name: web
                          image: registry.example.com/shop/web:1.\(index)
                          env:
                            - name: LOG_LEVEL
                              value: info
                            - name: FEATURE_FLAGS
                              value: "checkout,search,recommendations"
                          ports:
                            - name: http
                              containerPort: 8080
                          resources:
                            cpu:
                              required: 500m
                            memory:
                              required: 256Mi
                  parameters:
                    - name: image
                      required: true
                      fieldPaths: ["spec.containers[0].image"]
                    - name: log-level
                      fieldPaths: ["spec.containers[0].env[0].value"]
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata:
                  name: shop-\(index)
                  namespace: team-\(index % 7)
                spec:
                  components:
                    - componentName: web-\(index)
                      parameterValues:
                        - name: image
                          value: registry.example.com/shop/web:2.\(index)
                        - name: log-level
                          value: debug
                      traits:
                        - trait:
                            apiVersion: core.oam.dev/v1alpha2
                            kind: ManualScalerTrait
                            spec:
                              replicaCount: \(index % 5 + 1)
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: cache-\(index)
                  namespace: team-\(index % 7)
                  labels: {app: cache-\(index), tier: backend}
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: cache-\(index)}
                  template:
                    metadata:
                      labels: {app: cache-\(index)}
                    spec:
                      containers:
                        - name: redis
                          image: redis:7.2
                          args: ["--maxmemory", "256mb"]
                          ports: [{containerPort: 6379, protocol: TCP}]
                ---

                """
            index += 1
        }
        return out
    }
}
