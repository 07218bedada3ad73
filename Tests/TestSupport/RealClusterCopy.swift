import Foundation

extension RealCluster {
    /// Ports of a second kit, so that it runs next to the configured one.
    public struct Ports: Sendable {
        public var apiServer: Int
        public var etcd: Int
        public var controllerManager: Int

        public init(apiServer: Int, etcd: Int, controllerManager: Int) {
            self.apiServer = apiServer
            self.etcd = etcd
            self.controllerManager = controllerManager
        }
    }

    /// A second kit made from the configured one's binaries, in its own directory under the
    /// temporary directory with its own data, on `ports`, running **every** controller of
    /// kube-controller-manager (the configured kit runs without its deployment controller, for
    /// the OAM tests that write Deployment status themselves).
    ///
    /// The binaries are hard links when the file system allows it (start.sh and stop.sh
    /// recognise their processes by the path of their executable, so a symbolic link would
    /// not do). A copy left running is stopped and its data removed first: every run starts
    /// from an empty cluster; ``stopIfStarted()`` stops it.
    public static func startCopy(named name: String, ports: Ports, timeout: TimeInterval = 240) async throws
        -> RealCluster
    {
        guard let source = configuredDirectory else { throw RealClusterError("MIZZEN_REAL_K8S is not set") }
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent("mizzen-kit-\(name)")
        try files.createDirectory(at: directory.appendingPathComponent("bin"), withIntermediateDirectories: true)
        for script in ["start.sh", "stop.sh"] {
            let target = directory.appendingPathComponent(script)
            try? files.removeItem(at: target)
            try files.copyItem(at: source.appendingPathComponent(script), to: target)
        }
        let binaries = try files.contentsOfDirectory(atPath: source.appendingPathComponent("bin").path)
        for binary in binaries {
            let from = source.appendingPathComponent("bin/\(binary)")
            let to = directory.appendingPathComponent("bin/\(binary)")
            guard !files.fileExists(atPath: to.path) else { continue }
            do {
                try files.linkItem(at: from, to: to)
            } catch {
                try files.copyItem(at: from, to: to)
            }
        }
        // Always a fresh cluster: a copy left running by an interrupted run has a Node whose
        // heartbeats stopped (tainted unreachable) and the objects of that run.
        if try await isRunning(directory) {
            _ = try await runScript(directory.appendingPathComponent("stop.sh"), environment: nil)
        }
        try? files.removeItem(at: directory.appendingPathComponent("run/etcd-data"))
        let log = directory.appendingPathComponent("start.out")
        let status = try await runScript(
            directory.appendingPathComponent("start.sh"), environment: copyEnvironment(ports), log: log)
        guard status == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw RealClusterError("start.sh of the kit copy failed (\(status)):\n\(output)")
        }
        return RealCluster(directory: directory, started: true)
    }

    /// The environment of a copy's start.sh and stop.sh: its ports, every controller, no RBAC.
    public static func copyEnvironment(_ ports: Ports) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["WITH_KCM"] = "1"
        environment["AUTHZ_MODE"] = "AlwaysAllow"
        environment["EXTRA_KCM_ARGS"] = nil
        environment["API_PORT"] = String(ports.apiServer)
        environment["ETCD_PORT"] = String(ports.etcd)
        environment["KCM_PORT"] = String(ports.controllerManager)
        return environment
    }

    /// Runs a kit script with its output in `log` (after what it holds, when `appending`),
    /// waiting for it with `waitpid`: the daemons start.sh leaves behind keep Foundation's
    /// `Process` from noticing that the script ended (seen here: the script a zombie,
    /// `waitUntilExit` never returning).
    public static func runScript(
        _ script: URL, environment: [String: String]?, log: URL? = nil, appending: Bool = false
    ) async throws -> Int32 {
        let logPath = log?.path ?? "/dev/null"
        let redirect = appending ? ">>" : ">"
        let arguments = ["/bin/sh", "-c", "exec \"$0\" \(redirect) \"$1\" 2>&1 < /dev/null", script.path, logPath]
        let environment = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var pid: pid_t = 0
                let argv = arguments.map { strdup($0) } + [nil]
                let envp = environment.map { strdup($0) } + [nil]
                defer {
                    argv.forEach { free($0) }
                    envp.forEach { free($0) }
                }
                let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, envp)
                guard spawned == 0 else {
                    continuation.resume(throwing: RealClusterError("cannot run \(script.path): error \(spawned)"))
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                // WEXITSTATUS, which Swift does not import.
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
    }
}
