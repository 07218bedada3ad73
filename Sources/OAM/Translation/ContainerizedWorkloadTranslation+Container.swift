import OrderedCollections
import Resources

extension ContainerizedWorkloadTranslation {
    /// The pod-spec container for one `spec.containers[]` entry; its volumes, image pull secret
    /// and config files go into `parts`.
    static func translateContainer(
        _ container: FieldReader, workloadName: String, into parts: inout PodParts
    ) throws(TranslationError) -> JSONValue {
        let name = try container.requiredString("name")
        var out: JSONObject = ["name": .string(name), "image": .string(try container.requiredString("image"))]
        if let command = try container.strings("command") { out["command"] = .array(command.map(JSONValue.string)) }
        if let args = try container.strings("args") { out["args"] = .array(args.map(JSONValue.string)) }

        var ports: [JSONValue] = []
        for port in try container.objects("ports") ?? [] {
            var translated: JSONObject = [:]
            if let portName = try port.string("name") { translated["name"] = .string(portName) }
            translated["containerPort"] = .int(try port.requiredInt32("containerPort"))
            translated["protocol"] = .string(try port.string("protocol") ?? "TCP")
            ports.append(.object(translated))
        }
        if !ports.isEmpty { out["ports"] = .array(ports) }

        var env: [JSONValue] = []
        for variable in try container.objects("env") ?? [] {
            let variableName = try variable.requiredString("name")
            if let value = try variable.string("value") {
                env.append(["name": .string(variableName), "value": .string(value)])
            } else if let secret = try variable.object("fromSecret") {
                let reference: JSONValue = [
                    "name": .string(try secret.requiredString("name")), "key": .string(try secret.requiredString("key")),
                ]
                env.append(["name": .string(variableName), "valueFrom": ["secretKeyRef": reference]])
            }
            // A variable with neither a value nor a secret is dropped, as the reference runtime does.
        }
        if !env.isEmpty { out["env"] = .array(env) }

        var mounts: [JSONValue] = []
        if let resources = try container.object("resources") {
            out["resources"] = try translateResources(resources, mounts: &mounts, parts: &parts)
        }
        for file in try container.objects("config") ?? [] {
            try translateConfigFile(
                file, configMapPrefix: "\(workloadName)-\(name)", mounts: &mounts, parts: &parts)
        }
        if !mounts.isEmpty { out["volumeMounts"] = .array(mounts) }

        if let probe = try container.object("livenessProbe") { out["livenessProbe"] = try translateProbe(probe) }
        if let probe = try container.object("readinessProbe") { out["readinessProbe"] = try translateProbe(probe) }

        if let secret = try container.string("imagePullSecret"), !secret.isEmpty {
            parts.imagePullSecrets.append(secret)
        }
        return .object(out)
    }

    /// `resources.requests` from the CPU and memory requirements (GPU and extended resources are
    /// not translated, as in the reference runtime); each volume becomes a mount and an
    /// `emptyDir` pod volume (§12.16 fix 1).
    private static func translateResources(
        _ resources: FieldReader, mounts: inout [JSONValue], parts: inout PodParts
    ) throws(TranslationError) -> JSONValue {
        let cpu = try resources.requiredObject("cpu")
        let memory = try resources.requiredObject("memory")
        guard let cpuRequired = try cpu.quantity("required") else { throw .missing(cpu.path("required")) }
        guard let memoryRequired = try memory.quantity("required") else { throw .missing(memory.path("required")) }

        for volume in try resources.objects("volumes") ?? [] {
            let volumeName = try volume.requiredString("name")
            var mount: JSONObject = [
                "name": .string(volumeName), "mountPath": .string(try volume.requiredString("mountPath")),
            ]
            if try volume.string("accessMode") == "RO" { mount["readOnly"] = true }
            mounts.append(.object(mount))

            var emptyDir: JSONObject = [:]
            if let size = try volume.object("disk")?.quantity("required") { emptyDir["sizeLimit"] = size }
            parts.addVolume(named: volumeName, ["emptyDir": .object(emptyDir)])
        }
        return ["requests": ["cpu": cpuRequired, "memory": memoryRequired]]
    }

    /// A config file: with a `value`, a ConfigMap named `<workload>-<container>-<fnv32a(path)>`
    /// holding the file; with `fromSecret`, one key of a secret. Either is mounted as the single
    /// file `path` through `subPath` (§12.16 fix 2). A file with neither is ignored.
    private static func translateConfigFile(
        _ file: FieldReader, configMapPrefix: String, mounts: inout [JSONValue], parts: inout PodParts
    ) throws(TranslationError) {
        let path = try file.requiredString("path")
        let fileName = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        guard !fileName.isEmpty else {
            throw TranslationError(path: file.path("path"), message: "expected the path of a file, found \"\(path)\"")
        }
        if let value = try file.string("value") {
            let configMapName = "\(configMapPrefix)-\(FNV1a.hash32(path))"
            parts.addVolume(named: configMapName, ["configMap": ["name": .string(configMapName)]])
            parts.addConfigFile(configMapName: configMapName, key: fileName, value: value)
            mounts.append(["name": .string(configMapName), "mountPath": .string(path), "subPath": .string(fileName)])
        } else if let secret = try file.object("fromSecret") {
            let secretName = try secret.requiredString("name")
            let key = try secret.requiredString("key")
            parts.addSecretFile(secretName: secretName, key: key)
            mounts.append(["name": .string(secretName), "mountPath": .string(path), "subPath": .string(key)])
        }
    }

    /// A probe: every handler that is set is copied (no "exactly one" check, as in the reference
    /// runtime), then the timing fields that are set.
    private static func translateProbe(_ probe: FieldReader) throws(TranslationError) -> JSONValue {
        var out: JSONObject = [:]
        if let exec = try probe.object("exec") {
            var translated: JSONObject = [:]
            if let command = try exec.strings("command") { translated["command"] = .array(command.map(JSONValue.string)) }
            out["exec"] = .object(translated)
        }
        if let httpGet = try probe.object("httpGet") {
            var translated: JSONObject = [:]
            if let path = try httpGet.string("path") { translated["path"] = .string(path) }
            translated["port"] = .int(try httpGet.requiredInt32("port"))
            if let headers = try httpGet.objects("httpHeaders") {
                var translatedHeaders: [JSONValue] = []
                for header in headers {
                    translatedHeaders.append([
                        "name": .string(try header.requiredString("name")),
                        "value": .string(try header.requiredString("value")),
                    ])
                }
                translated["httpHeaders"] = .array(translatedHeaders)
            }
            out["httpGet"] = .object(translated)
        }
        if let tcpSocket = try probe.object("tcpSocket") {
            out["tcpSocket"] = ["port": .int(try tcpSocket.requiredInt32("port"))]
        }
        for key in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
            if let value = try probe.int32(key) { out[key] = .int(value) }
        }
        return .object(out)
    }
}
