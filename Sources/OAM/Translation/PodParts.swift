import OrderedCollections
import Resources

/// What the containers of a ContainerizedWorkload contribute to the pod spec and beside it,
/// collected while they are translated in order.
struct PodParts {
    /// A config file with a `value`, which becomes a ConfigMap.
    struct ConfigFile: Hashable {
        /// The file's name, the key under `data`.
        var key: String
        var value: String
    }

    /// The translated containers, in the workload's order.
    var containers: [JSONValue] = []
    /// Pod volumes by name, in the order first needed.
    var volumes: OrderedDictionary<String, JSONObject> = [:]
    /// Image pull secret names, without duplicates, in the order first named (§12.16 fix 4).
    var imagePullSecrets: OrderedSet<String> = []
    /// Config files with a value, by ConfigMap name, in container and file order.
    var configFiles: OrderedDictionary<String, ConfigFile> = [:]

    /// Adds a pod volume unless one of that name exists: containers that share a volume name
    /// share the volume.
    mutating func addVolume(named name: String, _ source: JSONObject) {
        guard volumes[name] == nil else { return }
        var volume: JSONObject = ["name": .string(name)]
        volume.merge(source) { current, _ in current }
        volumes[name] = volume
    }

    /// Makes `key` of secret `secretName` a file named `key` in the volume named after the secret.
    ///
    /// Several files from one secret share one volume listing each key once; the reference
    /// runtime created one volume per file, all with the same name, which the API server rejects.
    mutating func addSecretFile(secretName: String, key: String) {
        let item: JSONValue = ["key": .string(key), "path": .string(key)]
        guard var volume = volumes[secretName] else {
            addVolume(named: secretName, ["secret": ["secretName": .string(secretName), "items": [item]]])
            return
        }
        guard var secret = volume["secret"]?.objectValue, secret["secretName"]?.stringValue == secretName,
            var items = secret["items"]?.arrayValue
        else { return }
        if !items.contains(item) { items.append(item) }
        secret["items"] = .array(items)
        volume["secret"] = .object(secret)
        volumes[secretName] = volume
    }

    /// Records a config file's ConfigMap; the first file of a name wins.
    mutating func addConfigFile(configMapName: String, key: String, value: String) {
        guard configFiles[configMapName] == nil else { return }
        configFiles[configMapName] = ConfigFile(key: key, value: value)
    }
}
