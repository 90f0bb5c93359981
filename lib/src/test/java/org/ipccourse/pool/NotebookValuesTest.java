package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The owner's check of what it sent of class fields whose contents can change: a change of contents
 * since the fetch is found at the next check, however few cells ran, and so is a field sent to two
 * workers with different contents (the one that fetched first holds the older copy).
 */
class NotebookValuesTest {
    /** Stands for a class declared in a cell: its static fields are watched, as a cell class's are. */
    static final class Held {
        static final List<String> names = new ArrayList<>();
        static final long[] counts = new long[1000];
        static String label = "a";
    }

    private final NotebookValues values = new NotebookValues();
    private final List<ClassLoader> loaders = List.of(NotebookValuesTest.class.getClassLoader());

    @BeforeEach
    void reset() {
        Held.names.clear();
        java.util.Arrays.fill(Held.counts, 0);
    }

    private void fetch(String field) {
        byte[] answer = values.answer(NotebookValues.request(Held.class.getName(), field), loaders);
        assertEquals(0, answer[0], "the value was sent");
    }

    @Test
    void nothingSentCostsNothingAndAnImmutableValueIsNotWatched() {
        assertFalse(values.contentsChanged());
        fetch("label");
        assertFalse(values.contentsChanged());
        assertEquals(0, values.checkNanos(), "a String is not checked");
    }

    @Test
    void aChangeOfAListsContentsIsFoundAtEveryCheckNotOnlyOnce() {
        fetch("names");
        assertFalse(values.contentsChanged(), "unchanged");
        Held.names.add("alice");
        assertTrue(values.contentsChanged());
        assertFalse(values.contentsChanged(), "forgotten once found: the workers fetch it again");
        fetch("names");
        assertFalse(values.contentsChanged());
        Held.names.add("bob");
        assertTrue(values.contentsChanged(), "a second change, with no cell run in between");
        assertTrue(values.checkNanos() > 0);
    }

    @Test
    void aChangeOfAPrimitiveArrayIsFoundAgainstTheCopySent() {
        fetch("counts");
        assertFalse(values.contentsChanged());
        Held.counts[999] = 5;
        assertTrue(values.contentsChanged());
        fetch("counts");
        Held.counts[999] = 5; // the same value again: no change
        assertFalse(values.contentsChanged());
    }

    @Test
    void twoWorkersSentDifferentContentsStartANewEpochEvenWhenTheLastOneIsCurrent() {
        fetch("names");            // worker A holds []
        Held.names.add("alice");
        fetch("names");            // worker B, still in the same epoch, holds [alice]
        assertTrue(values.contentsChanged(), "worker A's copy is older than the kernel's value");
        fetch("names");
        fetch("names");
        assertFalse(values.contentsChanged(), "both workers were sent the same");
    }
}
