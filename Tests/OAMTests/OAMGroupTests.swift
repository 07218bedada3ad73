import OrderedCollections
import OAM
import Testing

@Suite("OAM names")
struct OAMGroupTests {
    @Test("apiVersion is group/version")
    func apiVersion() {
        #expect(OAM.apiVersion == "\(OAM.group)/\(OAM.version)")
    }

    @Test("a component's name from a revision name")
    func revisionNames() {
        #expect(Component.Revision.componentName(ofRevision: "web-v3") == "web")
        #expect(Component.Revision.componentName(ofRevision: "my-web-v12") == "my-web")
        #expect(Component.Revision.componentName(ofRevision: "plain") == "plain")
    }
}
