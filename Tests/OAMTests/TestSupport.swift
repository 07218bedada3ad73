import OrderedCollections
import OAM
import Resources
import Testing

/// Reads YAML written in a test as if it were a file called `test.yaml`.
func manifestSet(_ yaml: String) throws -> ManifestSet {
    ManifestSet(documents: try DocumentDecoder.decode(yaml, file: "test.yaml"))
}

/// Renders the only ApplicationConfiguration of `yaml`, with `observed` objects existing.
func render(_ yaml: String, observed: [Resource] = [], appConfig name: String? = nil) throws -> RenderedApplication {
    let set = try manifestSet(yaml)
    var catalog = set.catalog
    for object in observed { catalog.add(object: object) }
    let manifest = try #require(set.applicationConfigurations.first { name == nil || $0.resource.name == name })
    return Renderer(catalog: catalog).render(try ApplicationConfiguration(manifest.resource))
}

/// Validates every object of `yaml`, with file positions.
func validate(_ yaml: String) throws -> [Diagnostic] {
    try manifestSet(yaml).validate()
}

/// A JSON object written as YAML in a test.
func object(_ yaml: String) throws -> Resource {
    try Resource(try #require(DocumentDecoder.decode(yaml, file: nil).first).value)
}

/// The errors among `diagnostics`, as printed.
func errors(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.filter { $0.severity == .error }.map(\.description)
}

let webComponent = """
    apiVersion: core.oam.dev/v1alpha2
    kind: Component
    metadata:
      name: web
    spec:
      workload:
        apiVersion: apps/v1
        kind: Deployment
        spec:
          replicas: 1
          template:
            spec:
              containers:
                - name: web
                  image: nginx:1.25
      parameters:
        - name: image
          fieldPaths: ["spec.template.spec.containers[0].image"]
        - name: replicas
          fieldPaths: ["spec.replicas"]
    """

/// A Component whose workload is a bare Deployment, as YAML.
func deploymentComponent(_ name: String) -> String {
    """
    apiVersion: core.oam.dev/v1alpha2
    kind: Component
    metadata: {name: \(name)}
    spec:
      workload: {apiVersion: apps/v1, kind: Deployment}
    """
}
