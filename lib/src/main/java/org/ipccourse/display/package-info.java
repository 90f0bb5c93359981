/**
 * How the library's results appear in a notebook: Tablesaw tables as HTML, XChart charts as PNG
 * images, and displays that a running cell updates in place.
 *
 * <p>{@link org.ipccourse.display.CourseDisplayExtension} is a JJava kernel extension, found through
 * {@code META-INF/services}; it registers render functions with the kernel's renderer, so a cell whose
 * value is a table or chart shows it without any call. Everything here is inert outside a kernel.
 */
package org.ipccourse.display;
