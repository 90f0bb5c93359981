package org.ipccourse.measure;

import java.util.List;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** One row of {@link IpcCost}'s table. */
record Row(String label, Codec codec, IpcCost.Transport transport, long payloadBytes,
        long wireBytes, Stats serialize, Stats pipe, Stats deserialize, Stats total,
        Stats ownerAlloc, Stats workerAlloc) {

    static Table table(List<Row> rows) {
        Table t = Table.create("IPC cost",
                StringColumn.create("payload"), StringColumn.create("codec"),
                StringColumn.create("transport"), LongColumn.create("payload_bytes"),
                LongColumn.create("wire_bytes"), DoubleColumn.create("serialize_ms"),
                DoubleColumn.create("pipe_ms"), DoubleColumn.create("deserialize_ms"),
                DoubleColumn.create("total_ms"), DoubleColumn.create("total_mad_ms"),
                DoubleColumn.create("spread_pct"), DoubleColumn.create("mib_per_s"),
                DoubleColumn.create("owner_alloc_mib"), DoubleColumn.create("worker_alloc_mib"),
                IntColumn.create("runs"), DoubleColumn.create("serialize_mad_ms"),
                DoubleColumn.create("pipe_mad_ms"), DoubleColumn.create("deserialize_mad_ms"));
        for (Row r : rows) {
            t.stringColumn("payload").append(r.label);
            t.stringColumn("codec").append(r.codec.name());
            t.stringColumn("transport").append(r.transport.name());
            t.longColumn("payload_bytes").append(r.payloadBytes);
            t.longColumn("wire_bytes").append(r.wireBytes);
            t.doubleColumn("serialize_ms").append(r.serialize.median());
            t.doubleColumn("pipe_ms").append(r.pipe.median());
            t.doubleColumn("deserialize_ms").append(r.deserialize.median());
            t.doubleColumn("total_ms").append(r.total.median());
            t.doubleColumn("total_mad_ms").append(r.total.mad());
            t.doubleColumn("spread_pct").append(r.total.spreadPercent());
            t.doubleColumn("mib_per_s").append(r.payloadBytes / (1024.0 * 1024.0)
                    / (r.total.median() / 1000));
            t.doubleColumn("owner_alloc_mib").append(r.ownerAlloc.median());
            t.doubleColumn("worker_alloc_mib").append(r.workerAlloc.median());
            t.intColumn("runs").append(r.total.n());
            t.doubleColumn("serialize_mad_ms").append(r.serialize.mad());
            t.doubleColumn("pipe_mad_ms").append(r.pipe.mad());
            t.doubleColumn("deserialize_mad_ms").append(r.deserialize.mad());
        }
        return Formats.apply(t);
    }
}
