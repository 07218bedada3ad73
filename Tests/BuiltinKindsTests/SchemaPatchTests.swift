import APIMachinery
import BuiltinKinds
import Resources
import Testing

@Suite("List-merge rules of built-in kinds from their upstream schemas")
struct SchemaPatchTests {
    func schema(_ group: String, _ kind: String) throws -> PatchSchema {
        try #require(BuiltinKinds.openAPI.patchSchema(of: GroupVersionKind(group: group, version: "v1", kind: kind)))
    }

    @Test("a Deployment's pod template merges containers by name, env by name, ports by containerPort")
    func deployment() throws {
        let root = try schema("apps", "Deployment").root
        let podSpec = root.field("spec").field("template").field("spec")
        let containers = podSpec.field("containers")
        #expect(containers.list == .map(keys: ["name"]))
        #expect(containers.patchStrategy == .merge(mergeKey: "name"))
        #expect(containers.isAlwaysPresent)
        let container = containers.element
        #expect(container.field("env").list == .map(keys: ["name"]))
        #expect(container.field("ports").list == .map(keys: ["containerPort", "protocol"]))
        #expect(container.field("ports").patchStrategy == .merge(mergeKey: "containerPort"))
        #expect(container.field("ports").keyDefaults == ["protocol": "TCP"])
        #expect(container.field("command").list == .atomic)
        #expect(container.field("resources").field("limits").isMap)
        #expect(podSpec.field("volumes").retainKeys)
        #expect(podSpec.field("nodeSelector").isAtomicObject)
        #expect(root.field("spec").field("selector").isAtomicObject)
        #expect(root.field("spec").field("strategy").retainKeys)
        #expect(root.field("spec").isAlwaysPresent)
        #expect(root.field("spec").field("template").isAlwaysPresent)
    }

    @Test("metadata merges owner references by uid and finalizers as a set")
    func metadata() throws {
        let metadata = try schema("", "ConfigMap").root.field("metadata")
        #expect(metadata.isAlwaysPresent)
        #expect(metadata.field("ownerReferences").list == .map(keys: ["uid"]))
        #expect(metadata.field("finalizers").list == .set)
        #expect(metadata.field("finalizers").patchStrategy == .merge(mergeKey: nil))
        #expect(metadata.field("labels").isMap)
        #expect(metadata.field("managedFields").list == .atomic)
    }

    @Test("a Service merges ports by port and protocol; its selector is an atomic map")
    func service() throws {
        let spec = try schema("", "Service").root.field("spec")
        #expect(spec.field("ports").list == .map(keys: ["port", "protocol"]))
        #expect(spec.field("ports").patchStrategy == .merge(mergeKey: "port"))
        #expect(spec.field("selector").isMap)
        #expect(spec.field("selector").isAtomicObject)
    }

    @Test("a recursive type (a CRD's JSONSchemaProps) gives a finite schema")
    func recursive() throws {
        let crd = try #require(BuiltinKinds.openAPI.patchSchema(
            of: GroupVersionKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")))
        let versions = crd.root.field("spec").field("versions")
        #expect(versions.list == .atomic)
        let properties = versions.element.field("schema").field("openAPIV3Schema").field("properties")
        #expect(properties.isMap)
    }

    @Test("kinds that are not built in have no schema")
    func custom() {
        #expect(BuiltinKinds.openAPI.patchSchema(
            of: GroupVersionKind(group: "core.oam.dev", version: "v1alpha2", kind: "Component")) == nil)
    }

    @Test("the closure of a kind holds every schema it refers to")
    func closure() throws {
        let openAPI = BuiltinKinds.openAPI
        let deployment = try #require(openAPI.schemaName(of: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")))
        let closure = openAPI.closure(of: [deployment])
        #expect(closure["io.k8s.api.core.v1.Container"] != nil)
        #expect(closure["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] != nil)
        #expect(closure["io.k8s.api.core.v1.Service"] == nil)
        #expect(closure[deployment]?["description"]?.stringValue?.contains("declarative updates") == true)
    }

    @Test("the upstream rules agree with the hand-written table APIMachinery's own tests use", arguments: [
        ("apps", "Deployment", [
            "spec.selector", "spec.strategy", "spec.template.spec.containers", "spec.template.spec.containers[].ports",
            "spec.template.spec.containers[].env", "spec.template.spec.containers[].volumeMounts",
            "spec.template.spec.containers[].resources.limits", "spec.template.spec.volumes",
            "spec.template.spec.tolerations", "spec.template.spec.imagePullSecrets", "spec.template.spec.hostAliases",
            "spec.template.spec.topologySpreadConstraints", "status.conditions", "metadata.finalizers",
            "metadata.ownerReferences", "metadata.labels", "metadata.managedFields",
        ]),
        ("apps", "StatefulSet", ["spec.volumeClaimTemplates", "spec.template.spec.initContainers", "status.conditions"]),
        ("", "Service", ["spec.ports", "spec.selector", "spec.clusterIPs", "status.conditions", "status.loadBalancer.ingress"]),
        ("", "ConfigMap", ["data", "binaryData"]),
        ("", "Secret", ["data", "stringData"]),
        ("", "Namespace", ["spec.finalizers", "status.conditions"]),
    ])
    func agreesWithTheTable(group: String, kind: String, paths: [String]) throws {
        let upstream = try schema(group, kind).root
        let table = try #require(PatchSchema.builtin(group: group, kind: kind)).root
        func node(_ root: PatchSchema.Node, _ path: String) -> PatchSchema.Node {
            var node = root
            for part in path.split(separator: ".") {
                let isElement = part.hasSuffix("[]")
                node = node.field(String(isElement ? part.dropLast(2) : part))
                if isElement { node = node.element }
            }
            return node
        }
        for path in paths {
            let (mine, theirs) = (node(table, path), node(upstream, path))
            // The table's `.atomic` also marks atomic objects as atomic lists; upstream marks them
            // `x-kubernetes-map-type: atomic` only, and lists are all apply reads `list` of.
            let atomicObject = theirs.list == nil && mine.isAtomicObject && theirs.isAtomicObject
            #expect(mine.list == theirs.list || atomicObject, "\(kind) \(path): list")
            #expect(mine.patchStrategy == theirs.patchStrategy, "\(kind) \(path): patch strategy")
            #expect(mine.isMap == theirs.isMap, "\(kind) \(path): map")
            #expect(mine.retainKeys == theirs.retainKeys, "\(kind) \(path): retainKeys")
        }
    }
}
