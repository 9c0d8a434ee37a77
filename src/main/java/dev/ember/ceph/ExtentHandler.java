package dev.ember.ceph;

import java.io.IOException;

/** Receives diff extents in ascending offset order; throwing aborts the iteration. */
@FunctionalInterface
public interface ExtentHandler {
    void accept(Extent extent) throws IOException;
}
