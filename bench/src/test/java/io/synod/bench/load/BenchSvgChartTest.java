package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class BenchSvgChartTest {
    @Test
    void rendersWellFormedSvgWithOneDotPerPointAndALinePerLineSeries() throws Exception {
        SvgChart chart = new SvgChart("Latency <&> \"quoted\"", "time (s)", "ms")
                .add(new SvgChart.Series(
                        "p50",
                        List.of(
                                new SvgChart.Point(1, 2, null),
                                new SvgChart.Point(2, 3, null),
                                new SvgChart.Point(3, 2.5, null)),
                        true))
                .add(new SvgChart.Series("p99 & more", List.of(new SvgChart.Point(1, 40, "16 clients")), false));

        Document document = parse(chart.render());

        assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(document.getDocumentElement().getAttribute("xmlns")).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(document.getElementsByTagName("circle").getLength()).isEqualTo(4);
        assertThat(document.getElementsByTagName("polyline").getLength()).isEqualTo(1);
        String polyline =
                ((org.w3c.dom.Element) document.getElementsByTagName("polyline").item(0)).getAttribute("points");
        assertThat(polyline.split(" ")).hasSize(3);
        assertThat(texts(document.getElementsByTagName("text")))
                .contains("Latency <&> \"quoted\"", "p99 & more", "16 clients", "time (s)", "ms");
        assertThat(texts(document.getElementsByTagName("title"))).contains("p99 & more: x=1, y=40 (16 clients)");
    }

    @Test
    void anEmptyChartIsStillWellFormed() throws Exception {
        Document document = parse(new SvgChart("nothing", "x", "y").render());
        assertThat(document.getElementsByTagName("circle").getLength()).isZero();
    }

    @Test
    void axisMaximaAreRoundNumbers() {
        assertThat(SvgChart.niceMax(0)).isEqualTo(1);
        assertThat(SvgChart.niceMax(7)).isEqualTo(10);
        assertThat(SvgChart.niceMax(10)).isEqualTo(10);
        assertThat(SvgChart.niceMax(11)).isEqualTo(20);
        assertThat(SvgChart.niceMax(230)).isEqualTo(250);
        assertThat(SvgChart.niceMax(0.31)).isEqualTo(0.5);
    }

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(NodeList nodes) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }
}
