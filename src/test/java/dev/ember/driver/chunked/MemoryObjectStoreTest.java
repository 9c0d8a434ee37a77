package dev.ember.driver.chunked;

/** The conformance suite against the in-memory store, proving the suite is backend-neutral. */
class MemoryObjectStoreTest extends ObjectStoreConformance {

    @Override
    protected ObjectStore newStore() {
        return new MemoryObjectStore();
    }
}
