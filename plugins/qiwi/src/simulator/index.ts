/** `@payrail/plugin-qiwi/simulator`: the QIWI simulator shared by the plugin's tests and the server's sandbox. */
export * from './qiwi-simulator';
