import Foundation
import Resources

/// The merged contents of one or more kubeconfig files, as kubectl reads them.
///
/// Files are merged in order and the first file to set a key wins: the first `current-context`,
/// the first cluster, user or context of a given name. Paths inside a file (`certificate-authority`,
/// `client-certificate`, `client-key`, `tokenFile`) are relative to the file that names them.
///
/// ```swift
/// let connection = try Kubeconfig.load(path: nil).connection()          // current context
/// let other = try Kubeconfig.load(path: "/etc/kube.yaml").connection(context: "dev")
/// ```
public struct Kubeconfig: Sendable {
    /// One named entry (`cluster`, `user` or `context` body) and the file it came from.
    struct Entry: Sendable {
        var value: JSONValue
        var file: String
    }

    /// The files read, in merge order.
    public private(set) var files: [String]
    /// The first non-empty `current-context`.
    public private(set) var currentContext: String?
    var clusters: [String: Entry] = [:]
    var users: [String: Entry] = [:]
    var contexts: [String: Entry] = [:]
    /// Context names in the order they were first seen, for messages.
    public private(set) var contextNames: [String] = []

    /// Where kubectl looks when no path is given: `KUBECONFIG` (a colon-separated list; missing
    /// files are skipped), else `~/.kube/config`.
    ///
    /// - Parameters:
    ///   - path: an explicit file (`--kubeconfig`), which must exist.
    ///   - environment: the process environment (injectable for tests).
    /// - Throws: ``KubeconfigError`` when a file cannot be read or parsed, or none is found.
    public static func load(
        path: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeconfigError) -> Kubeconfig {
        if let path, !path.isEmpty {
            return try Kubeconfig(files: [path], requireAll: true)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let files = list.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
            return try Kubeconfig(files: files, requireAll: false)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try Kubeconfig(files: [home + "/.kube/config"], requireAll: true)
    }

    /// Reads and merges `files` (first wins per key).
    ///
    /// - Parameter requireAll: whether a missing file is an error (an explicit path) or skipped
    ///   (a `KUBECONFIG` entry, as kubectl does).
    public init(files: [String], requireAll: Bool) throws(KubeconfigError) {
        self.files = []
        for file in files {
            guard FileManager.default.fileExists(atPath: file) else {
                if requireAll { throw KubeconfigError(file: file, message: "no such file") }
                continue
            }
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw KubeconfigError(file: file, message: "cannot read: \(error.localizedDescription)")
            }
            try merge(text: text, file: file)
        }
        if self.files.isEmpty {
            throw KubeconfigError(file: files.joined(separator: ":"), message: "no kubeconfig file found")
        }
    }

    /// Merges one file's text, as if it came after the files already read.
    mutating func merge(text: String, file: String) throws(KubeconfigError) {
        let documents: [Document]
        do {
            documents = try DocumentDecoder.decode(text, file: file, parallel: false)
        } catch {
            throw KubeconfigError(file: file, message: "not valid YAML: \(error.message) at line \(error.location.line)")
        }
        files.append(file)
        guard let root = documents.first?.value else { return }
        guard root.objectValue != nil else {
            throw KubeconfigError(file: file, message: "expected a mapping at the top level, found \(root.typeName)")
        }
        if currentContext == nil, let current = root["current-context"]?.stringValue, !current.isEmpty {
            currentContext = current
        }
        for (name, entry) in try Self.entries(root, "clusters", "cluster", file: file) where clusters[name] == nil {
            clusters[name] = entry
        }
        for (name, entry) in try Self.entries(root, "users", "user", file: file) where users[name] == nil {
            users[name] = entry
        }
        for (name, entry) in try Self.entries(root, "contexts", "context", file: file) where contexts[name] == nil {
            contexts[name] = entry
            contextNames.append(name)
        }
    }

    /// The named entries of the list `key` (`clusters`), each with its `body` (`cluster`).
    static func entries(_ root: JSONValue, _ key: String, _ body: String, file: String) throws(KubeconfigError)
        -> [(String, Entry)]
    {
        guard let list = root[key], !list.isNull else { return [] }
        guard let items = list.arrayValue else {
            throw KubeconfigError(file: file, message: "\(key) must be a list, found \(list.typeName)")
        }
        var entries: [(String, Entry)] = []
        for (index, item) in items.enumerated() {
            guard let name = item["name"]?.stringValue, !name.isEmpty else {
                throw KubeconfigError(file: file, message: "\(key)[\(index)] has no name")
            }
            entries.append((name, Entry(value: item[body] ?? .emptyObject, file: file)))
        }
        return entries
    }

    /// The files, as named in messages.
    var source: String { files.joined(separator: ":") }

    /// What a client needs to reach the cluster of `context` (the current context when `nil`).
    ///
    /// - Throws: ``KubeconfigError`` naming the file and what is missing, such as
    ///   `kubeconfig /x: context "dev" not found (contexts: a, b)`.
    public func connection(context name: String? = nil) throws(KubeconfigError) -> ClusterConnection {
        guard let contextName = name ?? currentContext else {
            throw KubeconfigError(
                file: source, message: "no current-context is set and no context was named (contexts: \(listed(contextNames)))")
        }
        guard let context = contexts[contextName] else {
            throw KubeconfigError(
                file: source, message: "context \"\(contextName)\" not found (contexts: \(listed(contextNames)))")
        }
        guard let clusterName = context.value["cluster"]?.stringValue, !clusterName.isEmpty else {
            throw KubeconfigError(file: context.file, message: "context \"\(contextName)\" names no cluster")
        }
        guard let cluster = clusters[clusterName] else {
            throw KubeconfigError(
                file: source,
                message: "cluster \"\(clusterName)\" of context \"\(contextName)\" not found (clusters: \(listed(clusters.keys.sorted())))")
        }
        guard let server = cluster.value["server"]?.stringValue, !server.isEmpty else {
            throw KubeconfigError(file: cluster.file, message: "cluster \"\(clusterName)\" has no server")
        }
        var connection = ClusterConnection(server: server)
        connection.contextName = contextName
        connection.namespace = context.value["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        connection.insecureSkipTLSVerify = cluster.value["insecure-skip-tls-verify"]?.boolValue ?? false
        connection.tlsServerName = cluster.value["tls-server-name"]?.stringValue
        connection.certificateAuthorityPEM = try Self.material(
            cluster, data: "certificate-authority-data", file: "certificate-authority", what: "cluster \"\(clusterName)\"")

        if let userName = context.value["user"]?.stringValue, !userName.isEmpty {
            guard let user = users[userName] else {
                throw KubeconfigError(
                    file: source,
                    message: "user \"\(userName)\" of context \"\(contextName)\" not found (users: \(listed(users.keys.sorted())))")
            }
            let what = "user \"\(userName)\""
            if let token = user.value["token"]?.stringValue, !token.isEmpty {
                connection.token = token
            } else if let tokenFile = user.value["tokenFile"]?.stringValue, !tokenFile.isEmpty {
                let path = Self.resolve(tokenFile, relativeTo: user.file)
                connection.tokenFile = path
                do {
                    connection.token = try String(contentsOfFile: path, encoding: .utf8)
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                } catch {
                    throw KubeconfigError(file: user.file, message: "\(what): cannot read tokenFile \(path)")
                }
            }
            connection.clientCertificatePEM = try Self.material(
                user, data: "client-certificate-data", file: "client-certificate", what: what)
            connection.clientKeyPEM = try Self.material(user, data: "client-key-data", file: "client-key", what: what)
            if (connection.clientCertificatePEM == nil) != (connection.clientKeyPEM == nil) {
                throw KubeconfigError(
                    file: user.file, message: "\(what) has a client certificate without a key, or a key without a certificate")
            }
        }
        return connection
    }

    private func listed(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }

    /// `field-data` (base64) or the file `field` names, relative to the kubeconfig that names it.
    static func material(_ entry: Entry, data: String, file: String, what: String) throws(KubeconfigError) -> [UInt8]? {
        if let encoded = entry.value[data]?.stringValue, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw KubeconfigError(file: entry.file, message: "\(what): \(data) is not valid base64")
            }
            return Array(decoded)
        }
        if let path = entry.value[file]?.stringValue, !path.isEmpty {
            let resolved = resolve(path, relativeTo: entry.file)
            guard let contents = FileManager.default.contents(atPath: resolved) else {
                throw KubeconfigError(file: entry.file, message: "\(what): cannot read \(file) \(resolved)")
            }
            return Array(contents)
        }
        return nil
    }

    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst(1) }
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : directory + "/" + path
    }
}

/// A kubeconfig that cannot be used, naming the file and what is wrong.
public struct KubeconfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, or the colon-separated files of a merged kubeconfig.
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `kubeconfig <file>: <message>`.
    public var description: String { "kubeconfig \(file): \(message)" }
}
