import OrderedCollections
import OAM
import Testing

@Suite("OAM names")
struct OAMGroupTests {
    @Test("apiVersion is group/version")
    func apiVersion() {
        #expect(OAM.apiVersion == "\(OAM.group)/\(OAM.version)")
    }
}
