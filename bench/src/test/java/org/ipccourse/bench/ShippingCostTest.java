package org.ipccourse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShippingCostTest {
    @Test
    void measureTimesTheFirstAndTheRepeatedTaskOfEveryRound() throws Exception {
        ShippingCost.Result r = ShippingCost.measure(3, 2);
        assertEquals(3, r.classes());
        assertEquals(2, r.firstMillis().length);
        assertEquals(2, r.againMillis().length);
        assertTrue(Arrays.stream(r.firstMillis()).allMatch(t -> t > 0) && Arrays.stream(r.againMillis()).allMatch(t -> t > 0),
                r.toString());
        assertTrue(r.toString().contains("4 cell classes"), r.toString());
    }

    @Test
    void measureRefusesZeroClassesOrRepeats() {
        assertThrows(IllegalArgumentException.class, () -> ShippingCost.measure(0, 3));
        assertThrows(IllegalArgumentException.class, () -> ShippingCost.measure(3, 0));
    }
}
