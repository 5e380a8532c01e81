/** `@payrail/plugin-webmoney/simulator`: the WebMoney simulator shared by the plugin's tests and the server's sandbox. */
export * from './webmoney-simulator';
